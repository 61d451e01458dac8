import * as tf from '@tensorflow/tfjs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModelV2 } from '../../src/artifact/v2';
import { startEngine } from './support/engine';
import { faultyHost } from './support/fault-route';
import { BLANK_PAGE, startHarness, type Harness } from './support/harness';
import { syntheticShop } from './support/shop-model';
import type {} from './pages/engine-page';

// The int8 sweep shared with helper threads, in Chromium: Web Workers started
// by a worker, a shared WebAssembly memory, Atomics. The dev server serves
// pages cross-origin isolated (vite.config.ts), as a site should to get them;
// a page served without those headers gets one thread and the same rankings.
const ITEMS = 60_000;
let harness: Harness;
let shop: Record<string, Uint8Array>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  shop = await encodeModelV2(syntheticShop(ITEMS));
  harness = await startHarness({ webgpu: false });
}, 300_000);
afterAll(async () => {
  await harness?.close();
});

/** A page on the blank test page; `isolated: false` serves it without COOP/COEP, as a site without them would. */
async function blankPage(isolated: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await harness.browser.newContext();
  if (!isolated) {
    await context.route(`**${BLANK_PAGE}`, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers(), 'cross-origin-opener-policy': 'unsafe-none', 'cross-origin-embedder-policy': 'unsafe-none' };
      await route.fulfill({ response, headers });
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(harness.server.url + BLANK_PAGE);
  return { context, page };
}

interface SweepProbe {
  readonly isolated: boolean;
  readonly threads: number;
  readonly threadsAfterDispose: number;
  readonly sameScores: boolean;
  readonly maxDiff: number;
  readonly zRatio: number;
}

describe('the int8 sweep with helper threads in Chromium', () => {
  it('a worker on a cross-origin-isolated page sweeps in two threads: every score bit for bit one thread\'s, the sums to rounding', async () => {
    const { context, page } = await blankPage(true);
    const probe = await page.evaluate(async () => {
      const worker = new Worker('/tests/browser/pages/sweep-threads.worker.ts', { type: 'module' });
      const result = await new Promise<SweepProbe>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<SweepProbe>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage({ n: 70_003, helpers: 1 });
      });
      worker.terminate();
      return result;
    });
    expect(probe).toMatchObject({ isolated: true, threads: 2, threadsAfterDispose: 1, sameScores: true, maxDiff: 0 });
    expect(Math.abs(probe.zRatio - 1)).toBeLessThan(1e-5);
    await context.close();
  });

  it('the engine on a 60k-item v2 model: two threads on an isolated page, one without isolation, the same rankings after the same clicks', async () => {
    const clicks = ['sku17', 'sku30001', 'sku30002', 'sku59990', 'sku17'];
    const run = async (isolated: boolean) => {
      const { context, page } = await blankPage(isolated);
      const host = await faultyHost(context, `shop-${isolated}`);
      host.serve(shop);
      const info = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
      const result = await page.evaluate(async (ids) => {
        const ranks: (number | null)[] = [];
        for (const id of ids) ranks.push((await window.rec.click(id)).rank);
        const top = (await window.rec.recommend({ count: 20 })).map((item) => item.id);
        return { ranks, top, isolated: crossOriginIsolated, threads: (await window.debugInfo(window.rec)).sweepThreads };
      }, clicks);
      await context.close();
      return { ...result, items: info.items };
    };
    const [alone, shared] = [await run(false), await run(true)];
    expect(alone).toMatchObject({ items: ITEMS, isolated: false, threads: 1 });
    expect(shared).toMatchObject({ items: ITEMS, isolated: true, threads: 2 });
    expect(shared.top).toEqual(alone.top);
    expect(shared.ranks).toEqual(alone.ranks);
  });
});
