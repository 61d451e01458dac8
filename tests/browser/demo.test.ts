import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, freshDemoPage, hasDemoModel, listIds, openDemo, ROOT, simClicks, SKIP_REASON, waitReady } from './support/demo-page';
import { startHarness, type Harness } from './support/harness';

// The demo page (index.html) on the shipped model (or DEMO_MODEL_DIR, see support/demo-page.ts).
const hasModel = hasDemoModel;
if (!hasModel) console.warn(`Skipping demo page tests: ${SKIP_REASON}`);
const SHOTS = `${ROOT}test-results`;

let harness: Harness;
beforeAll(async () => {
  if (hasModel) harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

const freshPage = () => freshDemoPage(harness);
const open = (page: Page, query?: string) => openDemo(harness, page, query);

/** Clicks (or, by keyboard, focuses and presses Enter on) the list item at `position`; waits until the engine has adapted and re-ranked. */
async function clickAt(page: Page, position: number, how: 'mouse' | 'keyboard' = 'mouse'): Promise<{ clicked: string; before: string[]; after: string[] }> {
  const before = await listIds(page);
  const clicks = await attr(page, '#session', 'data-clicks');
  const clicked = before[position]!;
  const item = page.locator(`#ranking [data-item-id="${clicked}"]`);
  if (how === 'mouse') await item.click();
  else {
    await item.focus();
    await page.keyboard.press('Enter');
  }
  await page.waitForFunction((n) => document.querySelector('#session')?.getAttribute('data-clicks') === String(n), clicks + 1);
  await page.waitForFunction((id) => !document.querySelector(`#ranking [data-item-id="${id}"]`), clicked);
  return { clicked, before, after: await listIds(page) };
}

/** Full-page screenshots at desktop (light and dark) and phone widths, for people to look at. */
async function screenshots(page: Page): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/demo-desktop.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${SHOTS}/demo-desktop-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts redraw at the new width on the next frames.
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/demo-phone.png`, fullPage: true });
  // Nothing may scroll sideways at a small phone's width.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'horizontal overflow at 375 px, px').toBeLessThanOrEqual(0);
}

describe.skipIf(!hasModel)('the demo page', () => {
  it('loads on the default model with a ranked list and says which backend and why', async () => {
    const { context, page } = await freshPage();
    await open(page, '');
    const ids = await listIds(page);
    expect(ids).toHaveLength(20);
    await expect(page.locator('[data-item-id]').first().isVisible()).resolves.toBe(true);
    const status = await page.locator('#status').innerText();
    expect(status).toMatch(/^Ready: model \S+ .* on (webgpu|webgl|wasm|cpu)\. /);
    console.log(`demo page status: ${status}`);
    expect(await page.locator('#engine').innerText()).toContain('Learning rate');

    // The backend switch recreates the recommender on the chosen backend and keeps it in the URL.
    await page.selectOption('#backend-select', 'wasm');
    await waitReady(page, 2);
    expect(await page.locator('#status').innerText()).toMatch(/ on wasm\. "wasm" was requested explicitly\./);
    expect(new URL(page.url()).searchParams.get('backend')).toBe('wasm');
    expect(await listIds(page)).toHaveLength(20);
    await context.close();
  });

  it('re-ranks on five clicks and shows the per-step metrics of each adaptation', async () => {
    const { context, page } = await freshPage();
    await open(page);
    const panel = '[data-testid="adapt-metrics"]';
    expect(await attr(page, panel, 'data-adaptations')).toBe(0);
    const initial = await listIds(page);
    for (let k = 1; k <= 5; k++) {
      const { clicked, before, after } = await clickAt(page, (k * 3) % 20, k === 3 ? 'keyboard' : 'mouse');
      await page.waitForFunction(([sel, n]) => document.querySelector(sel as string)?.getAttribute('data-adaptations') === String(n), [panel, k] as const);
      // Re-ranked, not just the clicked item removed.
      expect(after.slice(0, 19)).not.toEqual(before.filter((id) => id !== clicked));
      const steps = await page.locator(`${panel} tr[data-step]`).evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.step)));
      expect(steps[0]).toBe(0);
      expect(steps.length).toBeGreaterThanOrEqual(2);
      expect(steps).toEqual(steps.map((_, i) => i));
      expect(await page.locator(panel).innerText()).toMatch(new RegExp(`Adaptation #${k} (finished|running)`));
    }
    await page.waitForFunction(() => document.querySelector('[data-testid="stored-events"]')?.textContent?.includes('5 clicks, 95 impressions'));

    // "Start over" goes back to the meta-initialization's list.
    await page.locator('#start-over').click();
    await page.waitForFunction(([sel]) => document.querySelector(sel as string)?.getAttribute('data-adaptations') === '0', [panel] as const);
    expect(await listIds(page)).toEqual(initial);
    expect(await attr(page, '#session', 'data-clicks')).toBe(0);
    await context.close();
  });

  it('the simulated visitor raises its hit rate above the un-adapted line within 20 clicks', async () => {
    const { context, page } = await freshPage();
    await open(page);
    await page.locator('#show-taste').check();
    // One persona throughout: no scheduled switch (demo-drift.test.ts covers switches).
    await page.selectOption('#drift-to', '');
    await page.locator('#sim-toggle').click();
    await simClicks(page, 20);
    await page.locator('#sim-toggle').click();
    const { adapted, baseline } = JSON.parse((await page.getAttribute('#simulator', 'data-points'))!) as Record<'adapted' | 'baseline', [number, number][]>;
    console.log(`simulated visitor, liked share of top 10 by click:\n  adapted  ${adapted.map((p) => p[1]).join(' ')}\n  baseline ${baseline.map((p) => p[1]).join(' ')}`);
    expect(adapted[0]![1]).toBeCloseTo(baseline[0]![1], 6);
    const firstAbove = adapted.findIndex(([, rate], i) => rate > baseline[i]![1]);
    expect(firstAbove, 'first click count where the adapted hit rate beats the un-adapted line').toBeGreaterThan(0);
    expect(firstAbove).toBeLessThanOrEqual(20);
    await screenshots(page);
    await context.close();
  });

  it('keeps the personal ranking across a reload, and "forget me" goes back to a fresh visitor', async () => {
    const { context, page } = await freshPage();
    await open(page);
    const fresh = await listIds(page);
    for (const position of [2, 5, 9, 0]) await clickAt(page, position);
    const personal = await listIds(page);
    expect(personal).not.toEqual(fresh);

    await page.reload();
    await waitReady(page);
    expect(await listIds(page)).toEqual(personal);
    expect(await page.locator('#list-note').innerText()).toContain('Welcome back');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export"]').click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { events: { type: string }[] };
    expect(exported.events.filter((e) => e.type === 'click')).toHaveLength(4);

    await page.locator('[data-testid="forget"]').click();
    await page.locator('[data-testid="forget"]').click();
    await waitReady(page, 2);
    expect(await listIds(page)).toEqual(fresh);
    await page.waitForFunction(() => document.querySelector('[data-testid="stored-events"]')?.textContent?.startsWith('0 '));
    await context.close();
  });
});
