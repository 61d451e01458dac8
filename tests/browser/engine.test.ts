import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine, startEngineError } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

async function engineOn(backend: 'webgpu' | 'cpu' | 'auto', dbName: string) {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, 'tiny', suite.files);
  const info = await startEngine(page, { modelUrl, backend, dbName });
  return { context, page, info };
}

async function clickThenRank(ids: string[]) {
  for (const id of ids) await window.rec.click(id);
  return window.rec.recommend({ count: 10 });
}

describe('the engine in a real worker', () => {
  it('starts on WebGPU and on CPU and ranks the same within 1e-3', async () => {
    const gpu = await engineOn('webgpu', 'gpu');
    const cpu = await engineOn('cpu', 'cpu');
    expect(gpu.info.backend).toBe('webgpu');
    expect(cpu.info.backend).toBe('cpu');
    expect(gpu.info.items).toBe(60);
    const clicks = ['i3', 'i9', 'i12', 'i30'];
    const a = await gpu.page.evaluate(clickThenRank, clicks);
    const b = await cpu.page.evaluate(clickThenRank, clicks);
    console.log('webgpu', a.map((x) => `${x.id}:${x.score.toFixed(4)}`).join(' '));
    console.log('cpu   ', b.map((x) => `${x.id}:${x.score.toFixed(4)}`).join(' '));
    a.forEach((item, i) => expect(item.score).toBeCloseTo(b[i]!.score, 3));
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    await gpu.context.close();
    await cpu.context.close();
  });

  it('reports download progress and rethrows worker errors as Errors with the worker message and stack', async () => {
    const { context, page, info } = await engineOn('cpu', 'errors');
    const progress = await page.evaluate(() => window.log.progress);
    for (const file of ['model.json', 'weights.bin', 'catalog.json']) {
      const last = progress.filter((p) => p.phase === 'download' && p.file === file).at(-1);
      expect(last?.loaded).toBe(suite.files[file]!.byteLength);
    }
    expect(progress.some((p) => p.phase === 'verify')).toBe(true);
    expect(progress.at(-1)?.phase).toBe('stored');
    const thrown = await page.evaluate(async () => {
      try {
        await window.rec.click('x42');
        return { message: 'no error', stack: '' };
      } catch (error) {
        return { message: `${error instanceof Error}:${(error as Error).message}`, stack: (error as Error).stack ?? '' };
      }
    });
    expect(thrown.message).toBe(`true:Unknown item id "x42": not in catalog ${info.modelVersion} (60 items)`);
    // Where the worker threw it, not where the page received it.
    expect(thrown.stack).toContain('/src/worker/model.ts');
    await context.close();
  });

  it('refuses an unknown backend name on the page side, naming the choices', async () => {
    const { context, page } = await suite.harness.newPage();
    const message = await startEngineError(page, { modelUrl: '/nowhere/model.json', backend: 'tpu' as 'cpu' }).catch((e: Error) => e.message);
    expect(message).toContain('Unknown backend "tpu": use one of "auto", "wasm", "webgpu", "webgl", "cpu".');
    await context.close();
  });

  it('pushes per-step adaptation metrics and a new ranking on each click', async () => {
    const { context, page } = await engineOn('webgpu', 'metrics');
    const out = await page.evaluate(async () => {
      const result = await window.rec.click('i5');
      return { result, adapt: window.log.adapt, ranking: window.log.ranking.at(-1)! };
    });
    expect(out.adapt.map((a) => a.step)).toEqual([0, 1, 2, 3]);
    expect(out.adapt.every((a) => a.backend === 'webgpu' && Number.isFinite(a.loss) && a.ms >= 0)).toBe(true);
    expect(out.adapt[3]!.loss).toBeLessThan(out.adapt[0]!.loss);
    expect(out.ranking.cause).toBe('click');
    expect(out.ranking.items.map((i) => i.id)).not.toContain('i5');
    expect(out.ranking.metrics).toMatchObject({ clicks: 1, lastRank: out.result.rank });
    await context.close();
  });
});
