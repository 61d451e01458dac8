import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium';
import { buildApp, cleanCopy, pack, removeDir } from './support/packed-app';
import { serveStatic, type StaticServer } from './support/static-server';

// What a new user does with the published package: `npm pack` from a fresh
// clone (prepack builds dist/), install the tarball into a new Vite app,
// build it, and open it. Slow (a build, an install from the npm cache and an
// app build: about a minute here), so everything happens once.
let clone: string;
let work: string;
let packed: { tarball: string; files: string[] };
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  clone = await cleanCopy();
  work = mkdtempSync(join(tmpdir(), 'localrec-packed-'));
  packed = await pack(clone, work);
  server = await serveStatic(await buildApp(packed.tarball, work));
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (clone) removeDir(clone);
  if (work) removeDir(work);
});

declare global {
  interface Window {
    result?: { backend: string; items: number; before: string[]; after: string[] } | { error: string };
  }
}

describe('the npm package, packed from a clean clone', () => {
  it('ships the library build, its types and the embed', () => {
    for (const file of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/core/index.js', 'dist/lib/core/index.d.ts', 'dist/embed/embed.js']) {
      expect(packed.files, file).toContain(file);
    }
    expect(packed.files.some((f) => /^dist\/lib\/assets\/worker-.*\.js$/.test(f))).toBe(true);
    expect(packed.files.some((f) => f.startsWith('src/') || f.startsWith('tests/'))).toBe(false);
  });

  it('installs into a new Vite app that builds and ranks in Chromium', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[packed app] ${error.message}`));
    await page.goto(server.url + '/index.html');
    await page.waitForFunction(() => window.result !== undefined, undefined, { timeout: 120_000 });
    const result = await page.evaluate(() => window.result!);
    expect(result).not.toHaveProperty('error');
    const ranked = result as Exclude<typeof result, { error: string }>;
    console.log(`packed app: ${packed.tarball.split('/').at(-1)} (${packed.files.length} files) ranked on ${ranked.backend}`);
    expect(ranked.items).toBe(1999);
    expect(ranked.before).toHaveLength(10);
    expect(ranked.after).toHaveLength(10);
    expect(ranked.after).not.toEqual(ranked.before);
    // The worker and the model came from the app's own build and public folder.
    expect(server.requests.some((r) => /\/assets\/worker-[\w-]+\.js/.test(r.url))).toBe(true);
    expect(server.requests.some((r) => r.url.startsWith('/models/demo/weights-000.bin'))).toBe(true);
    await context.close();
  });
});
