import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { Harness } from './harness';

// The demo page (index.html) on the shipped model. DEMO_MODEL_DIR serves
// another trained artifact folder at /models/demo/ instead (e.g. while the
// shipped one is being retrained).
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MODEL_DIR = process.env.DEMO_MODEL_DIR ?? `${ROOT}public/models/demo`;
export const hasDemoModel = existsSync(`${MODEL_DIR}/model.json`) && existsSync(`${MODEL_DIR}/personas.json`);
export const SKIP_REASON = `${MODEL_DIR} has no model.json/personas.json (run \`npm run train:demo\`).`;

/** A fresh context (own IndexedDB) whose /models/demo/ is MODEL_DIR. */
export async function freshDemoPage(harness: Harness): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await harness.newPage();
  // Two cores shared with other suites: give page waits room.
  page.setDefaultTimeout(60_000);
  if (process.env.DEMO_MODEL_DIR) {
    await context.route('**/models/demo/*', (route) => {
      const file = new URL(route.request().url()).pathname.split('/').pop()!;
      const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      return route.fulfill({ status: 200, body: readFileSync(`${MODEL_DIR}/${file}`), contentType: type });
    });
  }
  return { context, page };
}

/** Opens the demo page and waits until the engine is ready and the list is shown. The cpu backend
 * by default: 'auto' may pick another backend after a reload, and lists must compare exactly. */
export async function openDemo(harness: Harness, page: Page, query = 'backend=cpu&simSpeed=fast'): Promise<void> {
  await page.goto(`${harness.server.url}/?${query}`);
  await waitReady(page);
}

/** Waits until the page's `starts`-th recommender (default: any) is ready, or fails with the page's status. */
export async function waitReady(page: Page, starts = 1): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.body.dataset.starts) >= n && (document.body.dataset.ready === 'true' || document.querySelector('#status')?.getAttribute('data-state') === 'error'),
    starts,
    { timeout: 120_000 },
  );
  const state = await page.getAttribute('#status', 'data-state');
  if (state !== 'ready') throw new Error(`The demo did not start: ${await page.locator('#status').innerText()}`);
  await page.locator('[data-item-id]').first().waitFor();
}

/** The ids of the ranked list, best first. */
export const listIds = (page: Page) => page.locator('#ranking [data-item-id]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId!));
/** A numeric attribute of the first element matching `selector`. */
export const attr = async (page: Page, selector: string, name: string) => Number(await page.getAttribute(selector, name));
/** Waits until the simulator panel has recorded at least `clicks` clicks. */
export const simClicks = (page: Page, clicks: number) =>
  page.waitForFunction((n) => Number(document.querySelector('#simulator')?.getAttribute('data-clicks')) >= n, clicks, { timeout: 240_000 });
