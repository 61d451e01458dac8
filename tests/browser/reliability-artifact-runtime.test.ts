import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { artifactOf, items, type Files } from './support/artifact-variants';
import { startEngine } from './support/engine';
import { storedSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// Trouble while the model runs: the WebGPU device is lost, or an adaptation
// step overflows. The visitor's clicks, parameters and ranking must survive.
const suite = useTinySuite();
/** Learning rates that overflow float32 (exp of the stored log rate is Infinity): the first step's loss is not finite. */
let overflowing: Files;
/** The same parameters with no gradient steps: what a rolled-back adaptation must equal. */
let zeroSteps: Files;
beforeAll(async () => {
  overflowing = await artifactOf(items('i', 0, 60), { innerLr: 1e300, steps: 3 });
  zeroSteps = await artifactOf(items('i', 0, 60), { innerLr: 1e300, steps: 0 });
});

type Backend = 'webgpu' | 'cpu';

async function engine(files: Files, backend: Backend): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, 'runtime', files);
  await startEngine(page, { modelUrl, backend });
  return { context, page };
}

async function visit(clicks: string[]) {
  await window.rec.impressions(['i1', 'i3']);
  const results = [];
  for (const id of clicks) results.push(await window.rec.click(id));
  return { results, top: await window.rec.recommend({ count: 10 }), ranking: window.log.ranking.at(-1)! };
}

describe('a lost WebGPU device', () => {
  it('continues on the next backend with the same stored clicks, parameters and ranking, and adapts on from there', async () => {
    const gpu = await engine(suite.files, 'webgpu');
    const before = await gpu.page.evaluate(visit, ['i7', 'i14', 'i21']);
    const storedBefore = await gpu.page.evaluate(storedSummary, 'localrec');
    const moved = await gpu.page.evaluate(() => window.simulateDeviceLoss(window.rec));
    expect(moved.backend).not.toBe('webgpu');

    const after = await gpu.page.evaluate(async () => ({ top: await window.rec.recommend({ count: 10 }), log: { ranking: window.log.ranking.at(-1)!, backend: window.log.backend, errors: window.log.error } }));
    const top = after.top;
    expect(await gpu.page.evaluate(storedSummary, 'localrec')).toEqual(storedBefore);
    expect(top.map((i) => i.id)).toEqual(before.top.map((i) => i.id));
    top.forEach((item, i) => expect(item.score).toBeCloseTo(before.top[i]!.score, 3));
    // The pushed ranking after the move: same items (clicked ones left out), same session metrics.
    expect(after.log.ranking.cause).toBe('fallback');
    expect(after.log.ranking.items.map((i) => i.id)).toEqual(before.ranking.items.map((i) => i.id));
    expect(after.log.ranking.metrics).toEqual(before.ranking.metrics);
    expect(after.log.backend).toEqual([{ from: 'webgpu', to: moved.backend, kernel: moved.backend === 'webgl' ? 'tfjs' : 'host', reason: expect.stringContaining('WebGPU device lost'), timings: expect.any(Array) }]);
    expect(after.log.errors).toEqual([]);

    // The next click on the new backend gives what an engine that never lost its device gives.
    const next = await gpu.page.evaluate(async () => ({ click: await window.rec.click('i28'), top: await window.rec.recommend({ count: 10 }), backend: (await window.debugInfo(window.rec)).backend }));
    expect(next.backend).toBe(moved.backend);
    expect(next.click.superseded).toBe(false);
    const cpu = await engine(suite.files, 'cpu');
    const reference = await cpu.page.evaluate(visit, ['i7', 'i14', 'i21', 'i28']);
    expect(next.top.map((i) => i.id)).toEqual(reference.top.map((i) => i.id));
    next.top.forEach((item, i) => expect(item.score).toBeCloseTo(reference.top[i]!.score, 3));
    expect(next.click.metrics.clicks).toBe(4);
    expect(next.click.rank).toBe(reference.results[3]!.rank);
    await gpu.context.close();
    await cpu.context.close();
  });

  it('moves to the fastest remaining backend, timed with a real click (wasm here), not the next one in a fixed list', async () => {
    const gpu = await engine(suite.files, 'webgpu');
    await gpu.page.evaluate(visit, ['i7', 'i14']);
    const moved = await gpu.page.evaluate(() => window.simulateDeviceLoss(window.rec));
    const event = (await gpu.page.evaluate(() => window.log.backend))[0]!;
    console.log(`fallback to ${moved.backend}: ${event.reason}`, JSON.stringify(event.timings));
    // Every remaining backend was considered, in auto's order; the lost one was not.
    expect(event.timings?.map((t) => t.name)).toEqual(['wasm', 'webgl', 'cpu']);
    const measured = event.timings.filter((t) => t.ms !== null);
    const fastest = measured.reduce((a, b) => (b.ms! < a.ms! ? b : a));
    expect(moved.backend).toBe(fastest.name);
    // wasm's host kernel adapts and ranks in ~1 ms here, webgl in ~120 ms: wasm, unless this machine is loaded beyond 8 ms a click.
    if (event.timings[0]!.ms! < 8) expect(moved.backend).toBe('wasm');
    expect(event).toMatchObject({ from: 'webgpu', to: moved.backend });
    const next = await gpu.page.evaluate(() => window.rec.click('i21'));
    expect(next.superseded).toBe(false);
    await gpu.context.close();
  });
});

describe('an adaptation step that overflows', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`rolls back to the last good parameters and reports it, through the worker on ${backend}`, async () => {
      const { context, page } = await engine(overflowing, backend);
      const out = await page.evaluate(visit, ['i2', 'i9']);
      const log = await page.evaluate(() => ({ steps: window.log.adapt.map((a) => a.step), errors: window.log.error }));
      expect(out.results.map((r) => r.superseded)).toEqual([false, false]);
      // Step 0 (the prototype start) is good; step 1 overflows and is dropped, each time.
      expect(log.steps).toEqual([0, 0]);
      expect(log.errors).toEqual([
        { name: 'AdaptationRolledBack', message: 'Adaptation step 1 gave a non-finite loss; kept the parameters after step 0. The model\'s learning rates may be too large for these events.' },
        { name: 'AdaptationRolledBack', message: 'Adaptation step 1 gave a non-finite loss; kept the parameters after step 0. The model\'s learning rates may be too large for these events.' },
      ]);
      expect(out.top.every((i) => Number.isFinite(i.score))).toBe(true);
      expect(out.ranking.items.every((i) => Number.isFinite(i.score))).toBe(true);

      // Exactly the parameters of a zero-step adaptation on the same events.
      const reference = await engine(zeroSteps, 'cpu');
      const expected = await reference.page.evaluate(visit, ['i2', 'i9']);
      expect(out.top.map((i) => i.id)).toEqual(expected.top.map((i) => i.id));
      out.top.forEach((item, i) => expect(item.score).toBeCloseTo(expected.top[i]!.score, 3));
      await reference.context.close();

      // What was saved is finite and restores on the next visit.
      const stored = await page.evaluate(storedSummary, 'localrec');
      expect(stored.states).toEqual([{ version: expect.any(String), eventCount: 4 }]);
      await page.reload();
      const again = await startEngine(page, { modelUrl: '/fixture-models/runtime/model.json', backend });
      expect(again).toMatchObject({ personal: true, storedEvents: 4 });
      expect(await page.evaluate(() => window.log.error)).toEqual([]);
      expect((await page.evaluate(() => window.rec.recommend({ count: 10 }))).map((i) => i.id)).toEqual(out.top.map((i) => i.id));
      await context.close();
    });
  }
});
