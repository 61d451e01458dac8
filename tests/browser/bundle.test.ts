import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadyInfo, RecommenderOptions } from '../../src/index';
import { tinyArtifact } from '../unit/worker/fixtures/tiny-artifact';
import { serveArtifact } from './support/artifact-route';
import { buildAndPreview } from './support/bundle';
import { launchChromium } from './support/chromium';
import type { Browser } from 'playwright-core';

type Served = Awaited<ReturnType<typeof buildAndPreview>>;
let served: Served;
let browser: Browser;
let files: Record<string, Uint8Array>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  files = await tinyArtifact({ items: 30, dim: 4, steps: 2 });
  served = await buildAndPreview();
  const { readdirSync, statSync } = await import('node:fs');
  const assets = readdirSync(`${served.outDir}/assets`).map((f) => `${f} ${(statSync(`${served.outDir}/assets/${f}`).size / 1024).toFixed(0)} KiB`);
  console.log(`bundle assets:\n  ${assets.join('\n  ')}`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

declare global {
  interface Window {
    createRecommender(options: RecommenderOptions): { ready: Promise<ReadyInfo>; click(id: string): Promise<unknown> };
  }
}

describe('the production bundle (vite build)', () => {
  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`starts the bundled worker and runs on ${backend}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const modelUrl = await serveArtifact(context, 'tiny', files);
      await page.goto(`${served.url}/tests/browser/pages/bundle.html`);
      await page.waitForFunction(() => typeof window.createRecommender === 'function');
      const info = await page.evaluate(
        async ([url, b]) => {
          const rec = window.createRecommender({ modelUrl: url, backend: b });
          const ready = await rec.ready;
          await rec.click('i1');
          return ready;
        },
        [modelUrl, backend] as const,
      );
      expect(info.backend).toBe(backend);
      expect(info.items).toBe(30);
      await context.close();
    });
  }
});
