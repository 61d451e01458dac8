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

async function session(backend: 'webgpu' | 'cpu') {
  const { context, page } = await harness.newPage();
  const info = await startEngine(page, { modelUrl: '/models/demo/model.json', backend });
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
  it('ranks the same on WebGPU and CPU, before and after clicks', async () => {
    const gpu = await session('webgpu');
    const cpu = await session('cpu');
    expect(gpu.info.backend).toBe('webgpu');
    expect(gpu.info.modelVersion).toBe(cpu.info.modelVersion);
    expectSameRanking(gpu.cold, cpu.cold);
    expectSameRanking(gpu.warm, cpu.warm);
  });

  it('refuses a tampered copy of the demo weights', async () => {
    const { context, page } = await harness.newPage();
    await context.route('**/models/demo/weights.bin', async (route) => {
      const original = await route.fetch();
      const body = Buffer.from(await original.body());
      body[body.length >> 1] = body[body.length >> 1]! ^ 0x01;
      await route.fulfill({ response: original, body });
    });
    const message = await startEngineError(page, { modelUrl: '/models/demo/model.json', backend: 'cpu' });
    expect(message).toMatch(/^Error: Artifact file "weights.bin" of model \S+ failed verification/);
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
