// What makes an evaluation run fast must not change its results: pieces shared across
// protocols (EASE's Gram and weights, iALS's factors, the cosine rows), prefix scoring
// that grows the previous prefix's state, and folds run on worker threads.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset';
import { threadFoldRunner } from '../../../src/cli/eval-threads';
import { ndcgObjective } from '../../../src/eval/evaluate';
import { foldTasks, runProtocols } from '../../../src/eval/harness';
import { METHODS } from '../../../src/eval/methods/index';
import { ease } from '../../../src/eval/methods/ease';
import { ials } from '../../../src/eval/methods/ials';
import { blendBest } from '../../../src/eval/methods/blend-best';
import { cosineIndex } from '../../../src/eval/methods/itemknn';
import { cooccurrence } from '../../../src/math/cooccurrence';
import { prequentialObjective } from '../../../src/eval/prequential';
import { FitRegistry } from '../../../src/eval/registry';
import type { FoldRegistry, Method, Objective, Scorer } from '../../../src/eval/types';
import { buildFold, prepareData } from '../../../src/protocol/data';
import type { FoldData } from '../../../src/protocol/types';
import { walksWorld } from './walks';

const world = (): Dataset => walksWorld(23);

/** A fold registry that counts how often each shared piece is computed. */
function countingRegistry(): FoldRegistry & { made: string[]; inner: FitRegistry } {
  const inner = new FitRegistry();
  const made: string[] = [];
  return {
    made,
    inner,
    fitted: (name, objective, fit) => inner.fitted(name, objective, fit),
    shared: (key, make) => inner.shared(key, () => (made.push(key), make())),
  };
}

const objectives: Objective[] = [ndcgObjective([1, 5]), prequentialObjective()];

/** Fits `method` under both objectives with one registry and without any: both must choose and score alike. */
async function fitBothWays(method: () => Method, fold: FoldData) {
  const registry = countingRegistry();
  const shared: Scorer[] = [];
  const alone: Scorer[] = [];
  for (const objective of objectives) {
    shared.push(await method().fit(fold, { ks: [1, 5], objective, registry }));
    alone.push(await method().fit(fold, { ks: [1, 5], objective }));
  }
  return { registry, shared, alone };
}

describe('pieces shared across protocols', () => {
  it('EASE computes its Gram matrix once and each λ once per fold, and chooses as it does alone', async () => {
    const fold = buildFold(prepareData(world(), 4), 0, 25);
    const { registry, shared, alone } = await fitBothWays(() => ease({ maxItems: 40 }), fold);
    shared.forEach((s, i) => {
      expect(s.tuning).toEqual(alone[i]!.tuning);
      expect(s.validation).toEqual(alone[i]!.validation);
    });
    const lambdas = new Set(shared.flatMap((s) => (s.tuning!.grid as { config: { lambda: number } }[]).map((t) => t.config.lambda)));
    const tried = shared.reduce((n, s) => n + (s.tuning!.grid as unknown[]).length, 0);
    expect(registry.made.filter((k) => k.endsWith('gram'))).toHaveLength(1);
    expect(registry.made.filter((k) => k.includes('lambda='))).toHaveLength(lambdas.size);
    // Both protocols try the coarse grid: sharing must have saved fits.
    expect(lambdas.size).toBeLessThan(tried);
    registry.inner.dispose();
  });

  it('iALS trains each configuration once per fold and chooses as it does alone', async () => {
    const fold = buildFold(prepareData(world(), 4), 1, 25);
    const small = () => ials({ dims: [4, 8], alphas: [3, 10], lambdas: [1, 10], iterations: 3 });
    const { registry, shared, alone } = await fitBothWays(small, fold);
    shared.forEach((s, i) => {
      expect(s.tuning).toEqual(alone[i]!.tuning);
      expect(s.validation).toEqual(alone[i]!.validation);
    });
    const configs = new Set(shared.flatMap((s) => (s.tuning!.grid as { config: unknown }[]).map((t) => JSON.stringify(t.config))));
    const tried = shared.reduce((n, s) => n + (s.tuning!.grid as unknown[]).length, 0);
    expect(registry.made).toHaveLength(configs.size);
    expect(configs.size).toBeLessThan(tried);
    registry.inner.dispose();
  });
});

describe('cosine rows kept per item', () => {
  it('add the same floats as the co-occurrence counts summed afresh, on first use and after', () => {
    const fold = buildFold(prepareData(world(), 4), 3, 25);
    const index = cosineIndex(fold);
    const co = cooccurrence(fold.train.map((u) => u.items), fold.catalog.length);
    const support = fold.test[0]!.items.subarray(0, 12);
    const afresh = new Float64Array(fold.catalog.length);
    for (const j of support) {
      const nj = co.counts[j]!;
      if (nj === 0) continue;
      const { items, both } = co.row(j);
      for (const i of items) afresh[i] += both[i]! / Math.sqrt(co.counts[i]! * nj);
    }
    for (let pass = 0; pass < 2; pass++) {
      const kept = new Float64Array(fold.catalog.length);
      index.accumulate(support, kept);
      expect([...kept]).toEqual([...afresh]);
    }
    expect(afresh.some((v) => v > 0)).toBe(true);
  });
});

describe('prefix scoring from the previous prefix', () => {
  it('gives the same floats as scoring each prefix from scratch (EASE, iALS, pop-knn-blend, ItemKNN)', async () => {
    const fold = buildFold(prepareData(world(), 4), 2, 25);
    const methods: Method[] = [ease({ lambdas: [30], maxItems: 40 }), ials({ dims: [8], alphas: [10], lambdas: [10], iterations: 3 }), METHODS['pop-knn-blend']!(), METHODS.itemknn!()];
    const history = fold.test[0]!.items;
    // A break in the chain (7 does not extend 4) must start again from scratch.
    const prefixes = [1, 2, 3, 4, 7, 8].map((t) => history.subarray(0, t));
    for (const method of methods) {
      const scorer = await method.fit(fold, { ks: [5], objective: prequentialObjective() });
      const many = await scorer.scoreMany!(prefixes);
      for (const [i, p] of prefixes.entries()) expect([...many[i]!], method.name).toEqual([...(await scorer.score(p))]);
      scorer.dispose?.();
    }
  });
});

describe('folds on worker threads', () => {
  it("give the serial run's reports, value for value and choice for choice", async () => {
    const data = prepareData(world(), 4);
    const names = ['popularity', 'itemknn', 'markov', 'itemknn-recency', 'markov-tuned', 'pop-knn-blend', 'ease', 'blend'];
    const opts = { ks: [1, 5], folds: [0, 1, 2], threshold: 4, minPositives: 25, steps: undefined };
    const protocols = ['v1', 'v2'] as const;
    const serial = await runProtocols(data, names.map((n) => METHODS[n]!()), opts, protocols);
    const runner = threadFoldRunner({ data, methods: names, protocols, ...opts }, 2, () => {});
    const threaded = await runProtocols(data, names.map((n) => METHODS[n]!()), { ...opts, threads: 2 }, protocols, runner);
    for (const p of protocols) {
      expect(threaded[p]!.methods).toEqual(serial[p]!.methods);
      expect(threaded[p]!.tuning).toEqual(serial[p]!.tuning);
      expect(Object.keys(threaded[p]!.tuning.ease!)).toEqual(['0', '1', '2']);
    }
  }, 120_000);

  it('report a fold that fails, with its error', async () => {
    const data = prepareData(world(), 4);
    const runner = threadFoldRunner({ data, methods: ['popularity'], protocols: ['v2'], ks: [1], folds: [0, 7], threshold: 4, minPositives: 25, steps: undefined }, 2, () => {});
    await expect(runner([{ fold: 0, methods: [0] }, { fold: 7, methods: [0] }])).rejects.toThrow(/fold 7.*out of range/s);
  }, 60_000);

  it('keep a blend with its components in one task, every other method in its own, the last listed first', () => {
    const names = ['popularity', 'itemknn-recency', 'ease', 'blend', 'markov-tuned', 'ials', 'meta'];
    const tasks = foldTasks(names.map((n) => METHODS[n]!()), [0, 1]);
    expect(tasks).toEqual([
      { fold: 0, methods: [6] },
      { fold: 1, methods: [6] },
      { fold: 0, methods: [1, 2, 3, 4, 5] },
      { fold: 1, methods: [1, 2, 3, 4, 5] },
      { fold: 0, methods: [0] },
      { fold: 1, methods: [0] },
    ]);
  });
});

describe("a blend's components in protocol v2's test pass", () => {
  it("are tested in one pass with the blend: each user's prefixes scored once for both, every value as when each runs alone", async () => {
    const data = prepareData(world(), 4);
    const opts = { ks: [1, 5], folds: [0, 1], threshold: 4, minPositives: 25, steps: undefined };
    const scored: string[] = [];
    // iALS whose chosen fit records every batch of prefixes it is asked to score, by content.
    const counted = (): Method => ({
      name: 'counted',
      fit: async (fold, ctx) => {
        const s = await ials({ dims: [8], alphas: [10], lambdas: [10], iterations: 3 }).fit(fold, ctx);
        return {
          score: (x) => s.score(x),
          scoreMany: (xs) => (scored.push(`${fold.fold}:${xs.map((x) => x.join(',')).join('|')}`), s.scoreMany!(xs)),
          ...(s.tuning ? { tuning: s.tuning } : {}),
          ...(s.validation ? { validation: s.validation } : {}),
        };
      },
    });
    const blend = () => blendBest({ counted, 'markov-tuned': METHODS['markov-tuned']! });
    const joint = (await runProtocols(data, [counted(), METHODS['markov-tuned']!(), blend()], opts, ['v2'])).v2!;
    expect(scored.length).toBeGreaterThan(0);
    expect(new Set(scored).size).toBe(scored.length);
    expect(joint.tuning.blend!['0']).toMatchObject({ components: expect.arrayContaining(['counted', 'markov-tuned']) });
    const alone = (await runProtocols(data, [counted()], opts, ['v2'])).v2!;
    const blendAlone = (await runProtocols(data, [blend()], opts, ['v2'])).v2!;
    expect(joint.methods.counted).toEqual(alone.methods.counted);
    expect(joint.methods.blend).toEqual(blendAlone.methods.blend);
  }, 60_000);
});
