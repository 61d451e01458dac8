// The fold's registry of fits: the blend reuses the fits of components the run already made,
// with the same choices and scores as when it fits them itself, and every fit is disposed once.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset';
import { runProtocols } from '../../../src/eval/harness';
import { blendBest } from '../../../src/eval/methods/blend-best';
import { BLEND_CANDIDATES } from '../../../src/eval/methods/index';
import { FitRegistry } from '../../../src/eval/registry';
import { gridSearch, ndcgObjective } from '../../../src/eval/evaluate';
import { cosineIndex } from '../../../src/eval/methods/itemknn';
import { recencyKnnScorer } from '../../../src/eval/methods/itemknn-recency';
import { prequentialObjective } from '../../../src/eval/prequential';
import { buildFold, prepareData } from '../../../src/protocol/data';
import type { Method, MethodFactory, Scorer } from '../../../src/eval/types';
import { walksWorld } from './walks';

const world = (): Dataset => walksWorld(17);

/** Counts fits and disposals of the wrapped methods, by name. */
function counter() {
  const fits: string[] = [];
  const disposed: string[] = [];
  const wrap = (name: string, factory: MethodFactory): Method => {
    const inner = factory();
    return {
      ...inner,
      fit: async (fold, ctx) => {
        fits.push(name);
        const s = await inner.fit(fold, ctx);
        return { ...s, dispose: () => (disposed.push(name), s.dispose?.()) } satisfies Scorer;
      },
    };
  };
  const candidates = Object.fromEntries(Object.entries(BLEND_CANDIDATES).map(([n, f]) => [n, () => wrap(n, f)]));
  return { fits, disposed, wrap, candidates };
}

const opts = { ks: [1, 5], folds: [0], threshold: 4, minPositives: 25 };

describe('fits shared within a run', () => {
  it('the blend after its components reuses their fits and scores exactly as the blend run alone', async () => {
    const data = prepareData(world(), 4);
    const alone = counter();
    const a = await runProtocols(data, [blendBest(alone.candidates)], opts, ['v1', 'v2']);
    // Alone, the blend fits each candidate once per protocol.
    expect(alone.fits.sort()).toEqual([...Object.keys(BLEND_CANDIDATES), ...Object.keys(BLEND_CANDIDATES)].sort());

    const after = counter();
    const components = Object.entries(BLEND_CANDIDATES).map(([n, f]) => after.wrap(n, f));
    const b = await runProtocols(data, [...components, blendBest(after.candidates)], opts, ['v1', 'v2']);
    // After its components, the blend fits nothing again: the same number of fits as alone.
    expect(after.fits.sort()).toEqual(alone.fits);

    expect(b.v2!.methods.blend).toEqual(a.v2!.methods.blend);
    expect(b.v1!.methods.blend).toEqual(a.v1!.methods.blend);
    expect(b.v2!.tuning.blend).toEqual(a.v2!.tuning.blend);
    expect(b.v1!.tuning.blend).toEqual(a.v1!.tuning.blend);
    // The components' own rows are what the blend saw.
    const tuning = b.v2!.tuning.blend!['0'] as { candidates: { method: string; validation: number }[] };
    for (const c of tuning.candidates) expect((b.v2!.tuning[c.method]!['0'] as { grid: { validation: number }[] }).grid.map((t) => t.validation)).toContain(c.validation);
    // Every fit is disposed exactly once, by the registry at the end of the fold.
    expect(alone.disposed.sort()).toEqual(alone.fits);
    expect(after.disposed.sort()).toEqual(after.fits);
  }, 120_000);

  it('the blend run outside the harness owns its components and disposes them with itself', async () => {
    const fold = buildFold(prepareData(world(), 4), 1, 25);
    const c = counter();
    const scorer = await blendBest(c.candidates).fit(fold, { ks: [5], objective: prequentialObjective() });
    expect(c.fits).toHaveLength(4);
    expect(c.disposed).toEqual([]);
    scorer.dispose?.();
    expect(c.disposed.sort()).toEqual(c.fits.sort());
  }, 60_000);

  it('keeps a fit only for the methods that build on it, and refuses a name listed twice', async () => {
    const objective = prequentialObjective();
    const disposed: string[] = [];
    const make = (name: string) => async (): Promise<Scorer> => ({ score: async () => new Float64Array(1), dispose: () => disposed.push(name) });
    const registry = new FitRegistry(new Set(['kept']));
    const first = await registry.fitted('kept', objective, make('kept'));
    expect(await registry.fitted('kept', objective, make('again'))).toBe(first);
    await registry.fitted('other', objective, make('other'));
    registry.release('kept', objective);
    registry.release('other', objective);
    expect(disposed).toEqual(['other']);
    registry.dispose();
    expect(disposed).toEqual(['other', 'kept']);
    const data = prepareData(world(), 4);
    const m = blendBest(BLEND_CANDIDATES);
    await expect(runProtocols(data, [m, m], opts, ['v2'])).rejects.toThrow(/"blend" is listed twice/);
  });

  it('a grid scored in one pass over the users gives the same objectives and choice as one configuration at a time', async () => {
    const fold = buildFold(prepareData(world(), 4), 2, 25);
    const index = cosineIndex(fold);
    const grid = [1, 0.8, 0.5, 0.2].map((decay) => ({ decay }));
    for (const objective of [prequentialObjective(), ndcgObjective([1, 5])]) {
      const ctx = { ks: [1, 5], objective };
      const [one, all] = await Promise.all([false, true].map((together) => gridSearch('recency', [grid], async ({ decay }) => recencyKnnScorer(index, decay), fold.validation, ctx, {}, together)));
      expect(all!.tuning).toEqual(one!.tuning);
      expect(all!.validation).toEqual(one!.validation);
      const values = (one!.tuning!.grid as { validation: number }[]).map((t) => t.validation);
      expect(new Set(values).size).toBeGreaterThan(1);
    }
  });
});
