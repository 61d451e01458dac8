import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

const BACKEND = 'webgpu' as const;

async function clickAll(ids: string[]) {
  for (const id of ids) await window.rec.click(id);
}
const top10 = () => window.rec.recommend({ count: 10 });
const databases = async () => (await indexedDB.databases()).map((d) => d.name ?? '');

describe('storage across visits (real IndexedDB)', () => {
  it('keeps clicks across a reload and ranks personally from stored parameters before any new click', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    const first = await startEngine(page, { modelUrl, backend: BACKEND });
    expect(first).toMatchObject({ fromCache: false, personal: false, storedEvents: 0 });
    const coldTop = await page.evaluate(top10);
    await page.evaluate(clickAll, ['i2', 'i5', 'i8', 'i11']);
    const personalTop = await page.evaluate(top10);
    expect(personalTop.map((i) => i.id)).not.toEqual(coldTop.map((i) => i.id));

    await page.reload();
    const again = await startEngine(page, { modelUrl, backend: BACKEND });
    expect(again).toMatchObject({ fromCache: true, personal: true, storedEvents: 4, modelVersion: first.modelVersion });
    const events = await page.evaluate(async () => (await window.rec.exportData()).events.map((e) => `${e.type}:${e.itemId}`));
    expect(events).toEqual(['click:i2', 'click:i5', 'click:i8', 'click:i11']);
    const restoredTop = await page.evaluate(top10);
    expect(restoredTop.map((i) => i.id)).toEqual(personalTop.map((i) => i.id));
    restoredTop.forEach((item, i) => expect(item.score).toBeCloseTo(personalTop[i]!.score, 4));
    // Restored, not re-adapted: no adaptation step ran in this page life.
    expect(await page.evaluate(() => window.log.adapt.length)).toBe(0);
    await context.close();
  });

  it("a page gone right after a click's answer loses nothing: the click is stored before the answer, the parameters' save follows it", async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'cpu' });
    await page.evaluate(clickAll, ['i2', 'i5']);
    // The answer comes once the ranking is pushed, with where the click's time went; the page leaves at once.
    const timings = await page.evaluate(async () => (await window.rec.click('i8')).timings);
    expect(Object.keys(timings)).toEqual(['events', 'rank', 'start', 'adapt', 'ranking', 'total']);
    expect(timings.adapt).toBeGreaterThan(0);
    await page.reload();
    const again = await startEngine(page, { modelUrl, backend: 'cpu' });
    expect(again).toMatchObject({ personal: true, storedEvents: 3 });
    const events = await page.evaluate(async () => (await window.rec.exportData()).events.map((e) => e.itemId));
    expect(events).toEqual(['i2', 'i5', 'i8']);
    // Saved or not before the page went, the parameters end up adapted on all three clicks (a catch-up if the save was lost).
    const stored = await page.evaluate(async () => {
      for (let i = 0; i < 100; i++) {
        const state = (await window.rec.exportData()).states[0];
        if (state?.eventCount === 3) return state.eventCount;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return null;
    });
    expect(stored).toBe(3);
    await context.close();
  });

  it('starts from the cached model when the network is gone', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    const first = await startEngine(page, { modelUrl, backend: 'cpu' });
    await context.unroute(`**${modelUrl.replace('model.json', '')}*`);
    await context.route(`**${modelUrl.replace('model.json', '')}*`, (route) => route.abort('internetdisconnected'));
    await page.reload();
    const offline = await startEngine(page, { modelUrl, backend: 'cpu' });
    expect(offline).toMatchObject({ fromCache: true, modelVersion: first.modelVersion });
    const warnings = await page.evaluate(() => window.log.error.map((e) => e.message));
    expect(warnings.join('\n')).toContain(`Using cached model ${first.modelVersion}`);
    await context.close();
  });

  it('reset() goes back to the meta-initialization', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'cpu' });
    const coldTop = await page.evaluate(top10);
    await page.evaluate(clickAll, ['i1', 'i4']);
    await page.evaluate(() => window.rec.reset());
    expect((await page.evaluate(top10)).map((i) => i.id)).toEqual(coldTop.map((i) => i.id));
    expect(await page.evaluate(async () => (await window.rec.exportData()).events)).toEqual([]);
    await context.close();
  });

  it('forget() leaves nothing in IndexedDB', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'to-forget' });
    await page.evaluate(clickAll, ['i1', 'i2']);
    await page.evaluate(() => window.rec.impressions(['i3', 'i4']));
    expect(await page.evaluate(databases)).toContain('to-forget');
    await page.evaluate(() => window.rec.forget());
    expect(await page.evaluate(databases)).toEqual([]);
    const afterUse = await page.evaluate(async () => {
      try {
        await window.rec.recommend({ count: 3 });
        return 'worked';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(afterUse).toContain('This recommender was forgotten');
    await context.close();
  });
});
