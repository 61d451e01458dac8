import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedData } from '../../src/index';
import { artifactOf, items } from './support/artifact-variants';
import { launchChromium } from './support/chromium';
import { buildEmbed } from './support/embed-build';
import { MODEL_PATH, writeSite, type Host } from './support/reliability-site';
import { serveStatic, type StaticServer } from './support/static-server';


// The shipped embed on a host site under the strict Content-Security-Policy of
// docs/EMBED.md: what leaves the browser over a long session (nothing), and
// what forget() leaves behind (nothing).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let embedDir: string;
let siteDir: string;
let cdn: StaticServer;
let site: StaticServer;
let browser: Browser;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = await artifactOf(items('i', 0, 40), { steps: 2, dim: 4 });
  embedDir = await buildEmbed();
  cdn = await serveStatic(embedDir, { cors: true });
  siteDir = writeSite(cdn.url, model, {
    'csp.html': { csp: { wasm: true }, data: { count: '6', backend: 'wasm' } },
    'csp-no-wasm.html': { csp: { wasm: false }, data: { count: '6', backend: 'auto' } },
    'plain.html': { data: { count: '6', backend: 'wasm' } },
  });
  site = await serveStatic(siteDir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await cdn?.close();
  await site?.close();
  for (const dir of [embedDir, siteDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Seen2 {
  method: string;
  url: string;
  body: string | null;
  cookie: string | undefined;
  phase: string;
}

/** Opens a page with every request of the context (pages and workers) intercepted and logged. */
async function open(file: string): Promise<{ context: BrowserContext; page: Page; requests: Seen2[]; setPhase(p: string): void }> {
  const context = await browser.newContext();
  const requests: Seen2[] = [];
  let phase = 'startup';
  await context.route('**/*', async (route) => {
    const r = route.request();
    requests.push({ method: r.method(), url: r.url(), body: r.postData(), cookie: (await r.allHeaders()).cookie, phase });
    await route.continue();
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => requests.push({ method: 'WEBSOCKET', url: ws.url(), body: null, cookie: undefined, phase }));
  await page.goto(`${site.url}/${file}`);
  await page.waitForFunction(() => document.querySelector('localrec-widget')?.shadowRoot?.querySelectorAll('.action').length === 6 || (window as unknown as Host).seen.error.length > 0, null, { timeout: 120_000 });
  expect(await page.evaluate(() => (window as unknown as Host).seen.error)).toEqual([]);
  return { context, page, requests, setPhase: (p) => (phase = p) };
}

/** 200 clicks as a visitor makes them: widget picks (its other items become views) and host-page product clicks, one after another. */
async function session(page: Page): Promise<void> {
  for (let k = 0; k < 10; k++) {
    const adapted = await page.evaluate(() => (window as unknown as Host).seen.adapted.length);
    await page.locator('localrec-widget .action').nth(k % 6).click();
    await page.waitForFunction((n) => (window as unknown as Host).seen.adapted.length > n, adapted, { timeout: 60_000 });
  }
  await page.evaluate(async () => {
    for (let k = 0; k < 190; k++) {
      await (window as unknown as Host).localrec('view', [`i${(k * 3) % 40}`, `i${(k * 5 + 1) % 40}`]);
      await (window as unknown as Host).localrec('click', `i${(k * 7) % 40}`);
    }
  });
}

describe("the embed under a strict Content-Security-Policy (no 'unsafe-eval')", () => {
  it('runs a 200-click session with no violation and sends nothing about the visitor', async () => {
    const { context, page, requests, setPhase } = await open('csp.html');
    setPhase('session');
    await session(page);
    const data = (await page.evaluate(() => (window as unknown as Host).localrec('export'))) as ExportedData;
    expect(data.events.filter((e) => e.type === 'click')).toHaveLength(200);
    setPhase('reload');
    await page.reload();
    await page.waitForFunction(() => (window as unknown as Host).seen?.ready.length === 1, null, { timeout: 120_000 });
    setPhase('done');
    const seen = await page.evaluate(() => ({ csp: (window as unknown as Host).seen.csp, errors: (window as unknown as Host).seen.error, backend: (window as unknown as Host).seen.ready[0]!.backend, personal: ((window as unknown as Host).seen.ready[0] as unknown as { personal: boolean }).personal }));
    expect(seen).toEqual({ csp: [], errors: [], backend: 'wasm', personal: true });

    // Not one request during the session; before and after it only GETs of static files, without query, body or cookie.
    expect(requests.filter((r) => r.phase === 'session')).toEqual([]);
    const allowed = new RegExp(`^(${escape(site.url)}(/csp\\.html|${escape(MODEL_PATH.replace('model.json', ''))}(model\\.json|weights\\.bin|catalog\\.json))|${escape(cdn.url)}/(embed\\.js|engine\\.js|assets/[\\w-]+\\.(js|wasm)))$`);
    for (const r of requests) {
      if (r.url.startsWith('blob:') || r.url.startsWith('data:')) continue;
      expect(r, r.url).toMatchObject({ method: 'GET', body: null, cookie: undefined });
      expect(r.url).toMatch(allowed);
    }
    // A returning visitor with 200 clicks stored asks for nothing a new one did not (less: the model is cached).
    const urls = (phase: string) => requests.filter((r) => r.phase === phase).map((r) => `${r.method} ${r.url}`);
    expect(urls('reload').length).toBeGreaterThan(0);
    expect(urls('startup')).toEqual(expect.arrayContaining(urls('reload')));
    // Nothing about the visitor outside IndexedDB: no cookies, web storage or Cache Storage.
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(async () => ({ local: localStorage.length, session: sessionStorage.length, caches: (await caches.keys()).length }))).toEqual({ local: 0, session: 0, caches: 0 });
    await context.close();
  });

  it("runs without 'wasm-unsafe-eval' too: auto skips wasm, and nothing but the wasm compile is refused", async () => {
    const { context, page } = await open('csp-no-wasm.html');
    const before = await page.evaluate(() => (window as unknown as Host).seen.adapted.length);
    await page.locator('localrec-widget .action').first().click();
    await page.waitForFunction((n) => (window as unknown as Host).seen.adapted.length > n, before, { timeout: 60_000 });
    const seen = await page.evaluate(() => ({ csp: (window as unknown as Host).seen.csp, errors: (window as unknown as Host).seen.error, ready: (window as unknown as Host).seen.ready[0] as unknown as { backend: string; timings: { name: string; error?: string }[] } }));
    console.log(`no 'wasm-unsafe-eval': backend ${seen.ready.backend}; wasm: ${seen.ready.timings.find((t) => t.name === 'wasm')?.error}; violations: ${JSON.stringify(seen.csp)}`);
    expect(seen.ready.backend).not.toBe('wasm');
    expect(seen.errors).toEqual([]);
    // The browser reports the refused wasm compile; an eval would be reported as 'eval'.
    expect(seen.csp.every((v) => v.endsWith(' wasm-eval'))).toBe(true);
    await context.close();
  });

  it('ships no eval or new Function in the library build either', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'localrec-lib-'));
    try {
      await build({ root: ROOT, configFile: join(ROOT, 'vite.lib.config.ts'), logLevel: 'warn', build: { outDir } });
      const files = walk(outDir).filter((f) => f.endsWith('.js'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        // As in embed.test.ts: tfjs's threaded-wasm glue has one `(0,eval)` in a Node-only worker source string.
        const code = readFileSync(file, 'utf8').replaceAll('importScripts:function(f){(0,eval)(', '').replaceAll('importScripts: function(f) {\n      (0, eval)(', '');
        expect(code, file).not.toMatch(/new Function\s*\(|[^\w$.]eval\s*\(/);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe('forget()', () => {
  it('leaves nothing behind: no database, no Cache Storage, the worker terminated, no ranking in page memory', async () => {
    const { context, page } = await open('plain.html');
    await page.evaluate(async () => {
      await (window as unknown as Host).localrec('view', ['i1', 'i2']);
      for (const id of ['i3', 'i4', 'i5']) await (window as unknown as Host).localrec('click', id);
    });
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual(['localrec']);
    const workers = page.workers();
    expect(workers).toHaveLength(1);
    const closed = new Promise((resolve) => workers[0]!.once('close', resolve));
    // A click still adapting when the visitor asks to be forgotten must not write anything back.
    const late = await page.evaluate(async () => {
      const click = (window as unknown as Host).localrec('click', 'i6').then(() => 'clicked', (e: Error) => e.message);
      await (window as unknown as Host).localrec('forget');
      return click;
    });
    console.log(`a click racing forget(): ${late}`);
    await closed;
    expect(page.workers()).toHaveLength(0);
    const after = await page.evaluate(async () => {
      const later = await (window as unknown as Host).localrec('click', 'i7').then(() => 'clicked', (e: Error) => e.message);
      document.body.append(document.createElement('localrec-widget'));
      const widgets = [...document.querySelectorAll('localrec-widget')].map((w) => ({
        items: w.shadowRoot!.querySelectorAll('.action').length,
        status: w.shadowRoot!.querySelector('.status')!.textContent,
      }));
      return {
        databases: (await indexedDB.databases()).map((d) => d.name),
        caches: (await caches.keys()).length,
        storage: localStorage.length + sessionStorage.length,
        cookie: document.cookie,
        later,
        widgets,
      };
    });
    expect(after).toEqual({
      databases: [],
      caches: 0,
      storage: 0,
      cookie: '',
      later: 'This recommender was forgotten: create a new one with createRecommender().',
      widgets: [
        { items: 0, status: 'Recommendations are unavailable right now.' },
        { items: 0, status: 'Recommendations are unavailable right now.' },
      ],
    });
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
