import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactOf, items, type Files } from './support/artifact-variants';
import { startEngine } from './support/engine';
import { faultyHost } from './support/fault-route';
import { storedSummary, type StoredSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// A site deploys a new model version: a retrained model (another dimension)
// over a changed catalog (i40..i59 removed, n0..n19 added).
const suite = useTinySuite();
let v2: Files;
beforeAll(async () => {
  v2 = await artifactOf([...items('i', 0, 40), ...items('n', 0, 20)], { seed: 5, dim: 6 });
});

const top10 = () => window.rec.recommend({ count: 10 });

/** Polls the page's database until `done` holds (the worker saves in the background). */
async function storedWhen(page: Page, done: (s: StoredSummary) => boolean): Promise<StoredSummary> {
  for (;;) {
    const stored = await page.evaluate(storedSummary, 'localrec');
    if (done(stored)) return stored;
    await page.waitForTimeout(100);
  }
}

describe('a new model version', () => {
  it('keeps and re-uses stored events, discards the old parameters, and counts events on removed items', async () => {
    const { context, page } = await suite.harness.newPage();
    const host = await faultyHost(context, 'versions');
    host.serve(suite.files);
    const first = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
    await page.evaluate(async () => {
      await window.rec.impressions(['i1', 'i3', 'i45']);
      for (const id of ['i2', 'i50', 'i5', 'i55']) await window.rec.click(id);
    });
    const before = await page.evaluate(storedSummary, 'localrec');
    expect(before.states).toEqual([{ version: first.modelVersion, eventCount: 7 }]);

    host.serve(v2);
    await page.reload();
    const info = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
    expect(info.modelVersion).not.toBe(first.modelVersion);
    expect(info).toMatchObject({ fromCache: false, items: 60, storedEvents: 7, personal: true, ignoredEvents: 3, discardedStates: [first.modelVersion] });
    // Removed items are counted, not reported as errors.
    expect(await page.evaluate(() => window.log.error)).toEqual([]);

    // The events stay as they were; the new version adapts on them in the background and saves its own parameters.
    const after = await storedWhen(page, (s) => s.states.length > 0);
    expect(after.events).toEqual(before.events);
    expect(after.states).toEqual([{ version: info.modelVersion, eventCount: 7 }]);
    expect(after.artifact).toBe(info.modelVersion);
    expect(after.artifactFiles.every((f) => f.startsWith(`${info.modelVersion}/`))).toBe(true);
    const adapted = await page.evaluate(() => ({ steps: window.log.adapt.map((a) => a.step), rankings: window.log.ranking.map((r) => ({ cause: r.cause, ids: r.items.map((i) => i.id) })) }));
    expect(adapted.steps).toEqual([0, 1, 2, 3]);
    expect(adapted.rankings.map((r) => r.cause)).toEqual(['ready', 'ready']);
    for (const ranking of adapted.rankings) {
      expect(ranking.ids).not.toContain('i2');
      expect(ranking.ids).not.toContain('i5');
      expect(ranking.ids.every((id) => /^[in]\d+$/.test(id))).toBe(true);
    }
    const personal = await page.evaluate(top10);

    // The stored clicks made it personal: a new visitor on v2 sees another ranking.
    const fresh = await suite.harness.newPage();
    const freshHost = await faultyHost(fresh.context, 'versions');
    freshHost.serve(v2);
    await startEngine(fresh.page, { modelUrl: freshHost.modelUrl, backend: 'cpu' });
    const anonymous = await fresh.page.evaluate(top10);
    expect(personal.map((i) => i.id)).not.toEqual(anonymous.map((i) => i.id));
    await fresh.context.close();

    // A removed item is now unknown; a new one works.
    const removed = await page.evaluate(() => window.rec.click('i50').then(() => 'clicked', (e: Error) => e.message));
    expect(removed).toBe(`Unknown item id "i50": not in catalog ${info.modelVersion} (60 items)`);
    expect((await page.evaluate(() => window.rec.click('n3'))).superseded).toBe(false);
    const last = await page.evaluate(storedSummary, 'localrec');
    expect(last.events.map((e) => `${e.itemId}@${e.modelVersion === info.modelVersion ? 'v2' : 'v1'}`)).toEqual(['i1@v1', 'i3@v1', 'i45@v1', 'i2@v1', 'i50@v1', 'i5@v1', 'i55@v1', 'n3@v2']);
    expect(last.states).toEqual([{ version: info.modelVersion, eventCount: 8 }]);
    await context.close();
  });

  it('restores the new version\'s own parameters on the next visit, with nothing more to discard', async () => {
    const { context, page } = await suite.harness.newPage();
    const host = await faultyHost(context, 'versions');
    host.serve(suite.files);
    await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
    await page.evaluate(() => window.rec.click('i7'));
    host.serve(v2);
    await page.reload();
    const upgraded = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
    await page.evaluate(() => window.rec.click('n1'));
    const top = await page.evaluate(top10);
    await page.reload();
    const again = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
    expect(again).toMatchObject({ modelVersion: upgraded.modelVersion, fromCache: true, personal: true, storedEvents: 2, discardedStates: [], ignoredEvents: 0 });
    expect((await page.evaluate(top10)).map((i) => i.id)).toEqual(top.map((i) => i.id));
    await context.close();
  });
});
