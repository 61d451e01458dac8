import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

/** The real worker in a browser whose indexedDB.open() throws, as some private modes do. */
const REFUSING_WORKER = '/tests/browser/pages/private-mode-worker.ts';

/** Cold top 5, then clicks, then the top 5 again and what is stored. */
async function clickAndCompare(ids: string[]) {
  const cold = (await window.rec.recommend({ count: 5 })).map((i) => i.id);
  for (const id of ids) await window.rec.click(id);
  const warm = (await window.rec.recommend({ count: 5 })).map((i) => i.id);
  const stored = (await window.rec.exportData()).events.map((e) => e.itemId);
  return { cold, warm, stored, stats: await window.rec.stats() };
}

describe('storage unavailable (private modes): the engine ranks in memory and says so', () => {
  it('indexedDB.open() throws: ready reports storage "memory", clicks still adapt the ranking', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    const info = await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'private', workerUrl: REFUSING_WORKER });
    expect(info).toMatchObject({ storage: 'memory', fromCache: false, storedEvents: 0 });
    const notices = await page.evaluate(() => window.log.storage);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.storage).toBe('memory');
    expect(notices[0]!.reason).toContain('IndexedDB is unavailable here (');
    expect(notices[0]!.reason).toContain('did not allow mutations');
    expect(notices[0]!.reason).toContain('forgotten on reload');

    const out = await page.evaluate(clickAndCompare, ['i3', 'i6', 'i9', 'i12']);
    expect(out.warm).not.toEqual(out.cold);
    expect(out.stored).toEqual(['i3', 'i6', 'i9', 'i12']);
    expect(out.stats).toMatchObject({ events: 4, byType: { click: 4 } });
    // Honest about memory: a new page starts from nothing.
    await page.reload();
    const again = await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'private', workerUrl: REFUSING_WORKER });
    expect(again).toMatchObject({ storage: 'memory', storedEvents: 0, personal: false });
    await context.close();
  });

  it('every write refused (a 1-byte quota, as older Safari private mode did): carries on in memory after the first write', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: suite.harness.server.url, quotaSize: 1 });
    const info = await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'no-quota' });
    const out = await page.evaluate(clickAndCompare, ['i1', 'i2', 'i4']);
    const notices = await page.evaluate(() => window.log.storage);
    console.log(`quota 1 B: ready.storage=${info.storage};`, notices.map((n) => `${n.storage}: ${n.reason}`).join(' | '));
    // The model could not be cached (it runs from memory), then the first click could not be stored: memory from there on.
    expect(info.storage).toBe('indexeddb');
    expect(notices.map((n) => n.storage)).toEqual(['indexeddb', 'memory']);
    expect(notices[0]!.reason).toContain('does not fit in this site\'s storage quota');
    expect(notices[1]!.reason).toContain('new events are kept in memory for this page only');
    expect(out.warm).not.toEqual(out.cold);
    expect(out.stored).toEqual(['i1', 'i2', 'i4']);
    await context.close();
  });
});
