import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedData } from '../../src/index';
import { artifactOf, items } from './support/artifact-variants';
import { launchChromium } from './support/chromium';
import { buildEmbed } from './support/embed-build';
import { writeSite, type Host } from './support/reliability-site';
import { serveStatic, type StaticServer } from './support/static-server';


// Bad input from a host page to the shipped embed (the real build, from a CDN
// origin): malformed queued commands, and a catalog whose titles and ids carry
// markup. Nothing may break the page or be injected into it.
const HOSTILE = [
  { id: 'i0', title: '<img src="/pwned-title.png" onerror="(window as unknown as Host).pwned=1">', tags: ['<script>(window as unknown as Host).pwned=2</script>', 'red'] },
  { id: 'i1', title: '<script>(window as unknown as Host).pwned=3</script>' },
  { id: 'i2', title: '</span></button><iframe src="/pwned-frame.html"></iframe>' },
  { id: '"><img src="/pwned-id.png" onerror="(window as unknown as Host).pwned=4">', title: 'An id with markup' },
  { id: 'javascript:(window as unknown as Host).pwned=5', title: 'A javascript: id' },
  ...items('i', 5, 20),
];

const QUEUED = `
window.queued = [
  localrec(),
  localrec(42),
  localrec('teleport'),
  localrec('click'),
  localrec('click', { id: 'i1' }),
  localrec('click', 'x'.repeat(100000)),
  localrec('view', [1, 2]),
  localrec('recommend', 'ten'),
  localrec('recommend', { count: -1 }),
  localrec('rate', 'i1', 'five'),
  localrec('click', 'i7'),
];
localrec.q.push('junk', null, [null]);
`;

let embedDir: string;
let siteDir: string;
let cdn: StaticServer;
let site: StaticServer;
let browser: Browser;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = await artifactOf(HOSTILE, { steps: 2, dim: 4 });
  embedDir = await buildEmbed();
  cdn = await serveStatic(embedDir, { cors: true });
  siteDir = writeSite(cdn.url, model, {
    'queued.html': { inline: QUEUED, data: { count: '4', backend: 'wasm' } },
    'hostile.html': { data: { count: '20', backend: 'wasm', href: '/p/{id}' } },
    'js-href.html': { data: { count: '20', backend: 'wasm', href: 'javascript:alert("{id}")' } },
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

async function open(file: string, items: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${site.url}/${file}`);
  await page.waitForFunction((n) => document.querySelector('localrec-widget')?.shadowRoot?.querySelectorAll('.action').length === n, items, { timeout: 120_000 });
  return { context, page };
}

describe('bad input from the host page to the embed', () => {
  it('rejects each malformed queued command with a clear error event, skips garbage in the queue, and runs the good ones', async () => {
    const { context, page } = await open('queued.html', 4);
    const settled = await page.evaluate(async () => (await Promise.allSettled((window as unknown as Host).queued)).map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message)));
    const commands = "use one of 'click', 'view', 'recommend', 'rate', 'ready', 'export', 'reset', 'forget'.";
    expect(settled).toEqual([
      `Unknown localrec command undefined: ${commands}`,
      `Unknown localrec command the number 42: ${commands}`,
      `Unknown localrec command "teleport": ${commands}`,
      "localrec('click', …) needs an item id string of 1 to 1024 characters, got undefined: e.g. localrec('click', 'sku-123').",
      "localrec('click', …) needs an item id string of 1 to 1024 characters, got an object (Object): e.g. localrec('click', 'sku-123').",
      `localrec('click', …) needs an item id string of 1 to 1024 characters, got the string "${'x'.repeat(59)}… (100,000 characters): e.g. localrec('click', 'sku-123').`,
      "localrec('view', …) needs an item id or an array of them, got an array of 2: e.g. localrec('view', ['sku-1', 'sku-2']).",
      `localrec('recommend', …) needs { count } with a whole number of items, got the string "ten": e.g. localrec('recommend', { count: 4 }).`,
      `localrec('recommend', …) needs { count } with a whole number of items, got an object (Object): e.g. localrec('recommend', { count: 4 }).`,
      `localrec('rate', id, value) needs a rating from 1 to 5, got the string "five": e.g. localrec('rate', 'sku-123', 5).`,
      'ok',
    ]);
    await page.waitForFunction(() => (window as unknown as Host).seen.adapted.length >= 1, null, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as Host).seen);
    const skipped = 'localrec embed: skipped a malformed entry of localrec.q; queue calls with the stub of docs/EMBED.md.';
    expect(seen.error.map((e) => e.message).sort()).toEqual([...settled.slice(0, 10), skipped, skipped, skipped].sort());
    expect(seen.unhandled).toEqual([]);
    expect(seen.pageErrors).toEqual([]);
    const data = (await page.evaluate(() => (window as unknown as Host).localrec('export'))) as ExportedData;
    expect(data.events.map((e) => `${e.type}:${e.itemId}`)).toEqual(['click:i7']);
    await context.close();
  });

  it('shows titles and ids with markup as text: nothing is injected, no request is made for it', async () => {
    const { context, page } = await open('hostile.html', 20);
    const widget = await page.evaluate(() => {
      const root = document.querySelector('localrec-widget')!.shadowRoot!;
      const actions = [...root.querySelectorAll<HTMLAnchorElement>('a.action')];
      return {
        titles: [...root.querySelectorAll('.title')].map((t) => t.textContent),
        tags: [...root.querySelectorAll('.tags')].map((t) => t.textContent),
        hrefs: Object.fromEntries(actions.map((a) => [a.dataset.item, a.href])),
        injected: root.querySelectorAll('img, script, iframe, svg, style').length + document.querySelectorAll('img, iframe, svg').length,
        scripts: document.scripts.length,
        pwned: (window as unknown as Host).pwned,
      };
    });
    for (const item of HOSTILE) {
      expect(widget.titles).toContain(item.title);
      expect(widget.hrefs[item.id]).toBe(`${site.url}/p/${encodeURIComponent(item.id)}`);
    }
    expect(widget.tags).toContain('<script>(window as unknown as Host).pwned=2</script> · red');
    expect(widget).toMatchObject({ injected: 0, scripts: 2, pwned: undefined });
    // A click on the item whose id is markup records exactly that id.
    await page.evaluate(() => {
      const root = document.querySelector('localrec-widget')!.shadowRoot!;
      root.querySelector<HTMLAnchorElement>('a.action[data-item^="\\"><img"]')!.addEventListener('click', (e) => e.preventDefault());
    });
    await page.locator('localrec-widget a.action[data-item^="\\"><img"]').click();
    await page.waitForFunction(() => (window as unknown as Host).seen.adapted.length >= 1, null, { timeout: 60_000 });
    const data = (await page.evaluate(() => (window as unknown as Host).localrec('export'))) as ExportedData;
    expect(data.events.filter((e) => e.type === 'click').map((e) => e.itemId)).toEqual([HOSTILE[3]!.id]);
    expect(await page.evaluate(() => ({ pwned: (window as unknown as Host).pwned, errors: (window as unknown as Host).seen.error, pageErrors: (window as unknown as Host).seen.pageErrors }))).toEqual({ pwned: undefined, errors: [], pageErrors: [] });
    expect(site.requests.filter((r) => r.url.includes('pwned'))).toEqual([]);
    await context.close();
  });

  it('renders buttons, not javascript: links, when the href template is not http(s)', async () => {
    const { context, page } = await open('js-href.html', 20);
    const links = await page.evaluate(() => document.querySelector('localrec-widget')!.shadowRoot!.querySelectorAll('a').length);
    expect(links).toBe(0);
    await context.close();
  });

  it('takes a flood of 1,000 declarative clicks on a host item without losing one or breaking the page', async () => {
    const { context, page } = await open('hostile.html', 20);
    await page.evaluate(() => {
      const item = document.getElementById('host-item')!;
      item.addEventListener('click', (e) => e.preventDefault());
      for (let k = 0; k < 1000; k++) item.click();
    });
    // Every click is stored, and the last one's adaptation is saved last.
    for (;;) {
      const data = (await page.evaluate(() => (window as unknown as Host).localrec('export'))) as ExportedData;
      if (data.events.length >= 1000 && data.states[0]?.eventCount === data.events.length) break;
      await page.waitForTimeout(250);
    }
    const seen = await page.evaluate(() => ({ errors: (window as unknown as Host).seen.error, unhandled: (window as unknown as Host).seen.unhandled, pageErrors: (window as unknown as Host).seen.pageErrors }));
    expect(seen).toEqual({ errors: [], unhandled: [], pageErrors: [] });
    const data = (await page.evaluate(() => (window as unknown as Host).localrec('export'))) as ExportedData;
    expect(data.events).toHaveLength(1000);
    expect(new Set(data.events.map((e) => `${e.type}:${e.itemId}`))).toEqual(new Set(['click:i9']));
    expect(data.states[0]).toMatchObject({ eventCount: 1000 });
    await context.close();
  });
});
