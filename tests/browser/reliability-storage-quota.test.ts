import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

/** A quota the tiny model fits in with room for a few hundred events, bytes. */
const QUOTA = 256 * 1024;

describe('storage quota (Chromium quota lowered through CDP)', () => {
  it('drops the cached model, then the oldest 10% of events, when a write exceeds the quota; tells the page; keeps the write', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    // Lowered before the site first opens its database: Chromium reads the quota when it does.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: suite.harness.server.url, quotaSize: QUOTA });
    const info = await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'quota' });
    expect(info.storage).toBe('indexeddb');

    const filled = await page.evaluate(async () => {
      const items = Array.from({ length: 60 }, (_, i) => `i${i}`);
      let batches = 0;
      // Impressions are the cheapest way to store many events; stop once events had to go.
      while (!window.log.storage.some((n) => (n.evicted ?? 0) > 0) && batches < 2000) {
        await window.rec.impressions(items);
        batches += 1;
      }
      return { batches, notices: window.log.storage };
    });
    console.log(`quota ${QUOTA} B: events evicted after ${filled.batches} batches of 60 impressions`, filled.notices);
    // First the cached model went (it is public), then the oldest events.
    expect(filled.notices[0]!.reason).toContain('dropped the cached model');
    const notice = filled.notices.at(-1)!;
    expect(notice.storage).toBe('indexeddb');
    expect(notice.reason).toContain('oldest events (10% at a time');
    expect(await page.evaluate(async () => (await window.rec.exportData()).cachedModel)).toBeNull();

    const events = await page.evaluate(async () => (await window.rec.exportData()).events);
    const ids = events.map((e) => e.id);
    const written = filled.batches * 60;
    // Exactly the oldest ones went: the kept ids are the newest, without a gap, and the failing write is among them.
    expect(ids[0]).toBe(notice.evicted! + 1);
    expect(ids.at(-1)).toBe(written);
    expect(ids.length).toBe(written - notice.evicted!);
    // The count is whole rounds of the policy: 10% of what was stored (at least one), one to ten times.
    const rounds = Array.from({ length: 10 }).reduce<number[]>((sums, _, r) => {
      const evicted = sums[r - 1] ?? 0;
      return [...sums, evicted + Math.max(1, Math.ceil((written - 60 - evicted) * 0.1))];
    }, []);
    expect(rounds).toContain(notice.evicted);

    // The page keeps working on IndexedDB: a click is stored and adapted on.
    const click = await page.evaluate(() => window.rec.click('i7'));
    expect(click.superseded).toBe(false);
    const last = await page.evaluate(async () => (await window.rec.exportData()).events.at(-1));
    expect(last).toMatchObject({ type: 'click', itemId: 'i7' });
    expect(await page.evaluate(() => window.log.storage.every((n) => n.storage === 'indexeddb'))).toBe(true);
    await context.close();
  });
});
