import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { openTab } from './support/tabs';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

/** The real worker on a disk that refuses one IndexedDB write when told to (pages/fail-next-idb-write.ts). */
const FAULTY_DISK_WORKER = '/tests/browser/pages/faulty-disk-worker.ts';

/** `n` tabs of one site (one browser context), each with its own engine on the same database. */
async function openTabs(n: number, dbName: string) {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, 'tiny', suite.files);
  const pages = [page];
  for (let i = 1; i < n; i++) pages.push(await openTab(context, suite.harness.server.url));
  for (const p of pages) await startEngine(p, { modelUrl, backend: 'cpu', dbName });
  return { context, pages };
}

/** Each tab's top 10 as "id:score" (4 decimals). */
function rankings(pages: Page[]): Promise<string[]> {
  return Promise.all(
    pages.map((p) => p.evaluate(async () => (await window.rec.recommend({ count: 10 })).map((i) => `${i.id}:${i.score.toFixed(4)}`).join(' '))),
  );
}

/** Resolves once every tab ranks alike; returns that ranking. Fails if they have not converged within a minute. */
async function converged(pages: Page[]): Promise<string> {
  await expect.poll(async () => new Set(await rankings(pages)).size, { timeout: 60_000, interval: 250 }).toBe(1);
  return (await rankings(pages))[0]!;
}

describe('several tabs of one site', () => {
  it('stores the clicks of three tabs clicking at once, and every tab converges to the same ranking', async () => {
    const { context, pages } = await openTabs(3, 'tabs');
    const cold = await converged(pages);
    const clicks = [
      ['i1', 'i4', 'i7', 'i10'],
      ['i2', 'i5', 'i8'],
      ['i3', 'i6', 'i9', 'i12', 'i15'],
    ];
    await Promise.all(
      pages.map((p, k) =>
        p.evaluate(async (ids) => {
          for (const id of ids) await window.rec.click(id);
        }, clicks[k]!),
      ),
    );
    // None lost, none twice, whichever tab stored it; every tab reads the same events.
    for (const p of pages) {
      const stored = await p.evaluate(async () => (await window.rec.exportData()).events.map((e) => e.itemId));
      expect([...stored].sort()).toEqual(clicks.flat().sort());
    }
    const shared = await converged(pages);
    expect(shared).not.toBe(cold);
    // The tabs that clicked less caught up with the others' clicks: they adapted on them ('sync' rankings).
    const syncs = await Promise.all(pages.map((p) => p.evaluate(() => window.log.ranking.filter((r) => r.cause === 'sync').length)));
    expect(syncs.some((n) => n > 0)).toBe(true);
    console.log('sync adaptations per tab:', syncs.join(', '));

    // A reset in one tab resets them all.
    await pages[1]!.evaluate(() => window.rec.reset());
    expect(await converged(pages)).toBe(cold);
    await context.close();
  });

  it('forget() in one tab: the other tabs let go of the database and of the visitor', async () => {
    const { context, pages } = await openTabs(2, 'forget-tabs');
    const [forgetting, other] = pages as [Page, Page];
    const cold = await converged(pages);
    await forgetting.evaluate(() => window.rec.click('i5'));
    await other.evaluate(() => window.rec.click('i9'));
    expect(await converged(pages)).not.toBe(cold);

    await forgetting.evaluate(() => window.rec.forget());
    await other.waitForFunction(() => window.log.storage.some((n) => n.reason.includes('deleted the stored data')));
    // The deletion was not held up by the other tab, which now ranks as for a new visitor and keeps nothing.
    expect(await other.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);
    await expect.poll(async () => (await rankings([other]))[0], { timeout: 60_000, interval: 250 }).toBe(cold);
    expect(await other.evaluate(async () => (await window.rec.exportData()).events)).toEqual([]);
    await context.close();
  });

  it('a click that failed (a refused write) does not stop this tab from following the others', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'failed-click', workerUrl: FAULTY_DISK_WORKER });
    const other = await openTab(context, suite.harness.server.url);
    await startEngine(other, { modelUrl, backend: 'cpu', dbName: 'failed-click' });
    const failed = await page.evaluate(async () => {
      window.currentWorker(window.rec).postMessage({ kind: 'test-fault', what: 'idb-write' });
      return window.rec.click('i3').then(
        () => 'stored',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    });
    expect(failed).toBe('UnknownError: Test fault: the disk refused the write.');
    // The other tab's click reaches this one, which adapts on it as it would have before the failure.
    await other.evaluate(() => window.rec.click('i9'));
    await expect
      .poll(() => page.evaluate(() => window.log.ranking.filter((r) => r.cause === 'sync').length), { timeout: 30_000, interval: 250 })
      .toBeGreaterThan(0);
    const synced = await page.evaluate(() => window.log.ranking.filter((r) => r.cause === 'sync').at(-1)!.items.map((i) => i.id));
    expect(synced).not.toContain('i9');
    expect(await converged([page, other])).toBeTruthy();
    // And its own next click works.
    expect((await page.evaluate(() => window.rec.click('i4'))).superseded).toBe(false);
    await context.close();
  });

  it('a tab opened later starts from every tab\'s clicks', async () => {
    const { context, pages } = await openTabs(2, 'late-tab');
    await pages[0]!.evaluate(() => window.rec.click('i20'));
    await pages[1]!.evaluate(() => window.rec.click('i33'));
    const shared = await converged(pages);
    const late = await openTab(context, suite.harness.server.url);
    const modelUrl = '/fixture-models/tiny/model.json';
    const info = await startEngine(late, { modelUrl, backend: 'cpu', dbName: 'late-tab' });
    expect(info).toMatchObject({ storedEvents: 2, personal: true, fromCache: true });
    expect(await converged([...pages, late])).toBe(shared);
    await context.close();
  });
});
