import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, startEngineError } from './support/engine';
import { startHarness, type Harness } from './support/harness';
import type {} from './pages/engine-page';

// The shipped model (`npm run train:demo` writes it). Until it exists these
// tests skip; the other browser tests use a tiny artifact they build themselves.
const DEMO = fileURLToPath(new URL('../../public/models/demo/model.json', import.meta.url));
const hasDemo = existsSync(DEMO);
if (!hasDemo) console.warn(`Skipping demo-model browser tests: ${DEMO} is missing (run \`npm run train:demo\`).`);

/** Absolute score tolerance between backends (float32 on SwiftShader vs JS). */
const TOLERANCE = 1e-3;

let harness: Harness;
beforeAll(async () => {
  if (hasDemo) harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

// The shipped model is format v2 (int8, host backends only); the same trained
// model as float32 v1 is its training output, served under training/.
const V1 = '/models/demo/training/model.json';

async function session(backend: 'webgpu' | 'wasm' | 'cpu', modelUrl = '/models/demo/model.json') {
  const { context, page } = await harness.newPage();
  const info = await startEngine(page, { modelUrl, backend });
  const ranked = await page.evaluate(async () => {
    const cold = await window.rec.recommend({ count: 20 });
    for (const item of [cold[0]!, cold[4]!, cold[9]!]) await window.rec.click(item.id);
    return { cold, warm: await window.rec.recommend({ count: 20 }) };
  });
  await context.close();
  return { info, ...ranked };
}

/** Same items in the same order, except neighbours whose scores are within the tolerance may swap. */
function expectSameRanking(a: { id: string; score: number }[], b: { id: string; score: number }[]) {
  a.forEach((item, i) => expect(Math.abs(item.score - b[i]!.score)).toBeLessThan(TOLERANCE));
  a.forEach((item, i) => {
    if (item.id !== b[i]!.id) {
      const j = b.findIndex((x) => x.id === item.id);
      expect(j, `item ${item.id} moved from ${i} to ${j}`).toBeGreaterThanOrEqual(0);
      expect(Math.abs(item.score - b[j]!.score)).toBeLessThan(TOLERANCE);
      expect(Math.abs(a[i]!.score - a[j]!.score)).toBeLessThan(2 * TOLERANCE);
    }
  });
}

describe.skipIf(!hasDemo)('the shipped demo model', () => {
  it('ranks the same on wasm and CPU, before and after clicks (v2), and its float training output the same on WebGPU and CPU', async () => {
    const wasm = await session('wasm');
    const cpu = await session('cpu');
    expect(wasm.info.modelVersion).toBe(cpu.info.modelVersion);
    expectSameRanking(wasm.cold, cpu.cold);
    expectSameRanking(wasm.warm, cpu.warm);
    const gpu = await session('webgpu', V1);
    const float = await session('cpu', V1);
    expect(gpu.info.backend).toBe('webgpu');
    expectSameRanking(gpu.cold, float.cold);
    expectSameRanking(gpu.warm, float.warm);
  });

  it('runs the v2 model on WebGPU through the WGSL kernel (the int8 rows uploaded as decoded), ranking as on wasm', async () => {
    const gpu = await session('webgpu');
    const wasm = await session('wasm');
    expect(gpu.info.backend).toBe('webgpu');
    expectSameRanking(gpu.cold, wasm.cold);
    expectSameRanking(gpu.warm, wasm.warm);
  });

  it('says why a v2 model does not run on webgl', async () => {
    const { context, page } = await harness.newPage();
    const message = await startEngineError(page, { modelUrl: '/models/demo/model.json', backend: 'webgl' });
    expect(message).toMatch(/^Error: backend "webgl" cannot run this model: its item table is int8 \(model format v2\).*Use backend "auto" or one of webgpu, wasm, cpu\./);
    await context.close();
  });

  it('refuses a tampered copy of the demo weights', async () => {
    const { context, page } = await harness.newPage();
    await context.route('**/models/demo/weights-000.bin', async (route) => {
      const original = await route.fetch();
      const body = Buffer.from(await original.body());
      body[body.length >> 1] = body[body.length >> 1]! ^ 0x01;
      await route.fulfill({ response: original, body });
    });
    const message = await startEngineError(page, { modelUrl: '/models/demo/model.json', backend: 'cpu' });
    expect(message).toMatch(/^Error: Artifact file "weights-000.bin" of model \S+ failed verification/);
    await context.close();
  });

  it('picks a backend automatically and adapts on clicks (timings logged)', async () => {
    const { context, page } = await harness.newPage();
    const info = await startEngine(page, { modelUrl: '/models/demo/model.json', backend: 'auto', selectionBudgetMs: 60_000 });
    console.log(`demo model ${info.modelVersion} (${info.items} items, ${info.steps} steps): ${info.reason}`);
    const perClick = await page.evaluate(async () => {
      const items = await window.rec.recommend({ count: 40 });
      const t0 = performance.now();
      for (let k = 0; k < 20; k++) await window.rec.click(items[k * 2]!.id);
      return (performance.now() - t0) / 20;
    });
    console.log(`demo model on ${info.backend}: ${perClick.toFixed(1)} ms per click (store, rank, adapt, save, re-rank)`);
    const metrics = await page.evaluate(() => window.log.ranking.at(-1)!.metrics);
    expect(metrics.clicks).toBe(20);
    expect(metrics.mrr).toBeGreaterThan(0);
    await context.close();
  });
});
