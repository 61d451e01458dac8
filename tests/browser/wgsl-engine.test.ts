import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Neighbours } from '../../src/core/types';
import { createRng } from '../../src/math/rng';
import { serveArtifact } from './support/artifact-route';
import { artifactOf, items, type Files } from './support/artifact-variants';
import { startEngine } from './support/engine';
import { storedSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// The worker's "webgpu" backend is the WGSL kernel: real clicks through the
// worker, the same answers as wasm's host kernel, one read-back per click, and
// a device lost mid-click that costs the visitor nothing.
const suite = useTinySuite();
const CATALOG = 300;
/** A model with every term of the order-aware model: neighbour lists, transition lists, a recency decay below 1. */
let ordered: Files;

function lists(n: number, m: number, seed: number): Neighbours {
  const rng = createRng(seed);
  const ids = new Int32Array(n * m).fill(-1);
  const sims = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m - (i % 3 === 0 ? 1 : 0); j++) {
      ids[i * m + j] = (i + 1 + Math.floor(rng.next() * (n - 1))) % n;
      sims[i * m + j] = Math.fround(0.1 + 0.8 * rng.next());
    }
  }
  return { m, ids, sims };
}

beforeAll(async () => {
  ordered = await artifactOf(items('i', 0, CATALOG), { dim: 8, steps: 3, neighbours: lists(CATALOG, 4, 11), transitions: lists(CATALOG, 3, 12), logitDecay: 0.8 });
});

async function engine(files: Files, backend: 'webgpu' | 'wasm' | 'auto', name = 'ordered'): Promise<{ context: BrowserContext; page: Page; ready: Awaited<ReturnType<typeof startEngine>> }> {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, name, files);
  const ready = await startEngine(page, { modelUrl, backend });
  return { context, page, ready };
}

const CLICKS = ['i7', 'i14', 'i21', 'i140', 'i141', 'i260'];

/** Impressions, then clicks one by one, then the top 10. */
async function visit(clicks: string[]) {
  await window.rec.impressions(['i1', 'i3', 'i5']);
  const results = [];
  for (const id of clicks) results.push(await window.rec.click(id));
  return { results, top: await window.rec.recommend({ count: 10 }) };
}

describe('the worker on "webgpu"', () => {
  it('runs real clicks on the WGSL kernel: the answers of wasm\'s host kernel, one read-back and at most 6 dispatches a click', async () => {
    const gpu = await engine(ordered, 'webgpu');
    expect(gpu.ready).toMatchObject({ backend: 'webgpu', kernel: 'wgsl', items: CATALOG });
    expect(gpu.ready.reason).toBe('"webgpu" (WGSL kernel) was requested explicitly.');
    const out = await gpu.page.evaluate(visit, CLICKS);
    // One more click, counted on the GPU: the rank before adapting, the adaptation and the pushed ranking share one read-back.
    const counted = await gpu.page.evaluate(async () => {
      const before = (await window.debugInfo(window.rec)).gpu!;
      const click = await window.rec.click('i42');
      const after = (await window.debugInfo(window.rec)).gpu!;
      const ranking = window.log.ranking.at(-1)!;
      return { click, readbacks: after.readbacks - before.readbacks, dispatches: after.dispatches - before.dispatches, buffers: [before.buffers, after.buffers], ranking };
    });
    console.log('one worker click on the WGSL kernel:', JSON.stringify({ readbacks: counted.readbacks, dispatches: counted.dispatches, buffers: counted.buffers }));
    expect(counted.readbacks).toBe(1);
    expect(counted.dispatches).toBeGreaterThan(0);
    expect(counted.dispatches).toBeLessThanOrEqual(6);
    expect(counted.buffers[1]).toBe(counted.buffers[0]);
    const big = await gpu.page.evaluate(() => window.rec.recommend({ count: 200 }));

    const host = await engine(ordered, 'wasm');
    expect(host.ready).toMatchObject({ backend: 'wasm', kernel: 'host' });
    const expected = await host.page.evaluate(visit, CLICKS);
    const expectedNext = await host.page.evaluate(async () => ({ click: await window.rec.click('i42'), ranking: window.log.ranking.at(-1)! }));
    const expectedBig = await host.page.evaluate(() => window.rec.recommend({ count: 200 }));
    expect(out.results.map((r) => r.rank)).toEqual(expected.results.map((r) => r.rank));
    expect(out.results.every((r) => !r.superseded)).toBe(true);
    expect(out.top.map((i) => i.id)).toEqual(expected.top.map((i) => i.id));
    out.top.forEach((item, i) => expect(item.score).toBeCloseTo(expected.top[i]!.score, 4));
    expect(counted.click.rank).toBe(expectedNext.click.rank);
    expect(counted.ranking.items.map((i) => i.id)).toEqual(expectedNext.ranking.items.map((i) => i.id));
    // More than the GPU selection's width: the scores come back once and rank on the host, by the same rule.
    expect(big.map((i) => i.id)).toEqual(expectedBig.map((i) => i.id));
    expect(await gpu.page.evaluate(() => window.log.error)).toEqual([]);
    await gpu.context.close();
    await host.context.close();
  });

  it('loses its device mid-click: the click completes on the fastest remaining backend, none is lost, rankings go on', async () => {
    const gpu = await engine(ordered, 'webgpu');
    const first = await gpu.page.evaluate(visit, CLICKS.slice(0, 3));
    const during = await gpu.page.evaluate(async () => {
      // The device goes right after the click's submission, its read-back pending.
      const moved = window.simulateDeviceLoss(window.rec, { midClick: true });
      const inFlight = window.rec.click('i140');
      const results = await Promise.all([inFlight, moved]);
      const rankings = window.log.ranking.length;
      const next = [];
      for (const id of ['i141', 'i260']) next.push(await window.rec.click(id));
      return { click: results[0], moved: results[1], next, newRankings: window.log.ranking.length - rankings, debug: await window.debugInfo(window.rec), log: { backend: window.log.backend, errors: window.log.error, causes: window.log.ranking.map((r) => r.cause) } };
    });
    console.log(`device lost mid-click: moved to ${during.moved.backend}: ${during.log.backend[0]?.reason}`);
    expect(during.moved.backend).toBe(during.log.backend[0]!.to);
    expect(during.log.backend).toEqual([{ from: 'webgpu', to: during.moved.backend, kernel: during.moved.backend === 'webgl' ? 'tfjs' : 'host', reason: expect.stringContaining('WebGPU device lost'), timings: expect.any(Array) }]);
    // Timed as auto times them, the lost one left out; the fastest of those measured won.
    const timings = during.log.backend[0]!.timings;
    expect(timings.map((t) => t.name)).toEqual(['wasm', 'webgl', 'cpu']);
    const measured = timings.filter((t) => t.ms !== null);
    expect(during.moved.backend).toBe(measured.reduce((a, b) => (b.ms! < a.ms! ? b : a)).name);
    expect(during.debug).toMatchObject({ backend: during.moved.backend, gpu: null });
    expect(during.log.errors).toEqual([]);
    expect(during.click.superseded).toBe(false);
    expect([during.click, ...during.next].map((r) => r.metrics.clicks)).toEqual([4, 5, 6]);
    expect(during.next.every((r) => !r.superseded)).toBe(true);
    expect(during.newRankings).toBe(2);
    expect(during.log.causes.at(-1)).toBe('click');

    // Every click stored, and the session is where one that never lost its device would be.
    const stored = await gpu.page.evaluate(storedSummary, 'localrec');
    expect(stored.events.filter((e) => e.type === 'click').map((e) => e.itemId)).toEqual(CLICKS);
    const top = await gpu.page.evaluate(() => window.rec.recommend({ count: 10 }));
    const reference = await engine(ordered, 'wasm');
    const expected = await reference.page.evaluate(visit, CLICKS);
    expect([...first.results, during.click, ...during.next].map((r) => r.rank)).toEqual(expected.results.map((r) => r.rank));
    expect(top.map((i) => i.id)).toEqual(expected.top.map((i) => i.id));
    top.forEach((item, i) => expect(item.score).toBeCloseTo(expected.top[i]!.score, 4));
    await gpu.context.close();
    await reference.context.close();
  });
});

describe('auto on a large catalog', () => {
  it('times the WGSL kernel against wasm and says what each measured, per click', async () => {
    const large = await artifactOf(items('i', 0, 100_000), { dim: 8, steps: 2 });
    const auto = await engine(large, 'auto', 'large');
    console.log(`auto at 100k items: ${auto.ready.reason}`, JSON.stringify(auto.ready.timings));
    const [wasm, webgpu] = auto.ready.timings;
    expect(wasm).toMatchObject({ name: 'wasm', ms: expect.any(Number) });
    expect(webgpu).toMatchObject({ name: 'webgpu', ms: expect.any(Number) });
    expect(auto.ready.reason).toMatch(/^"(wasm|webgpu)"( \(WGSL kernel\))? was fastest at 100,000 items \(\d+\.\d ms per adaptation \+ ranking; /);
    for (const t of [wasm!, webgpu!]) expect(auto.ready.reason).toContain(`${t.ms!.toFixed(1)} ms`);
    expect(auto.ready.kernel).toBe(auto.ready.backend === 'webgpu' ? 'wgsl' : 'host');
    const click = await auto.page.evaluate(() => window.rec.click('i99999'));
    expect(click.superseded).toBe(false);
    await auto.context.close();
  });
});
