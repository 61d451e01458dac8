// The full tfjs: training needs the registered gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSTANT_FEATURE, contentFeatures, disposeInputs, itemInputs, logPopularity } from '../../../src/core/features';
import { fromArrays, initParams, toArrays, disposeParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { cholesky, choleskySolve } from '../../../src/math/linalg';
import { alsData, alsEmbeddings, alsParams, selectAlsStart } from '../../../src/train/als-start';
import { contentRegression } from '../../../src/train/content-map';
import { adaptedScores } from '../../../src/train/episodes';
import { validate } from '../../../src/train/validate';
import { trainMeta } from '../../../src/train/trainer';
import { trainedInputs } from '../../../src/train/item-side';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/train/config';

const ITEMS = 40;
const DIM = 6;
const rng = createRng('als-start');
// Two taste groups, so the factors carry structure.
const train = Array.from({ length: 80 }, (_, u) =>
  Int32Array.from(new Set(Array.from({ length: 7 }, () => (u % 2 ? 0 : 20) + rng.int(20)))),
);
const counts = new Float32Array(ITEMS);
for (const row of train) for (const i of row) counts[i]! += 1;
const shape = { items: ITEMS, features: 1, dim: DIM };
const cfg = { dim: DIM, alpha: 10, lambdas: [5], temperature: 10, seed: 3 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function inputs() {
  return itemInputs(contentFeatures(Array.from({ length: ITEMS }, () => undefined), [CONSTANT_FEATURE]), counts.map((c) => (c > 0 ? 1 : 0)), logPopularity(counts));
}

async function scores(arrays: Parameters<typeof fromArrays>[0], support: Int32Array): Promise<Float32Array> {
  const params = fromArrays(arrays, shape);
  const inp = inputs();
  const [[s]] = (await adaptedScores(params, inp, [support], 0)) as [[Float32Array]];
  disposeParams(params);
  disposeInputs(inp);
  return s;
}

async function baseArrays(seed: number) {
  const p = initParams(shape, { seed });
  const a = await toArrays(p);
  disposeParams(p);
  return a;
}

describe('ALS start', () => {
  it("ranks one click exactly as ALS's fold-in does", async () => {
    const lambda = 5;
    const emb = alsEmbeddings(alsData(train, ITEMS), cfg, lambda);
    const arrays = alsParams(await baseArrays(1), emb, { lambda, knn: 0, pop: 0, innerLr: 0.01 });
    const y = Float64Array.from(emb.itemEmb, (v) => v / cfg.temperature);
    for (const j of [3, 27]) {
      // Exact fold-in: (YᵀY + λI + α y_j y_jᵀ) u = (1 + α) y_j.
      const a = new Float64Array(DIM * DIM);
      for (let i = 0; i < ITEMS; i++) for (let p = 0; p < DIM; p++) for (let q = 0; q < DIM; q++) a[p * DIM + q] += y[i * DIM + p]! * y[i * DIM + q]!;
      for (let p = 0; p < DIM; p++) {
        a[p * DIM + p] += lambda;
        for (let q = 0; q < DIM; q++) a[p * DIM + q] += cfg.alpha * y[j * DIM + p]! * y[j * DIM + q]!;
      }
      const u = Float64Array.from({ length: DIM }, (_, p) => (1 + cfg.alpha) * y[j * DIM + p]!);
      cholesky(a, DIM);
      choleskySolve(a, DIM, u);
      const exact = Array.from({ length: ITEMS }, (_, i) => y.subarray(i * DIM, (i + 1) * DIM).reduce((s, v, p) => s + v * u[p]!, 0));
      const model = await scores(arrays, Int32Array.of(j));
      // Sherman-Morrison: the model's scores are a positive multiple of the exact ones.
      const ratio = model[j]! / exact[j]!;
      expect(ratio).toBeGreaterThan(0);
      for (let i = 0; i < ITEMS; i++) expect(model[i]!).toBeCloseTo(ratio * exact[i]!, 3);
      const best = (s: ArrayLike<number>) => Array.from(s).map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0]).slice(0, 10).map(([, i]) => i);
      expect(best(model)).toEqual(best(exact));
    }
  });

  it.each([
    ['factored densely', undefined],
    ['solved by conjugate gradients (a large vocabulary)', 0],
  ])('gives an item no training user touched the vector its tags predict, and leaves warm items exactly as they were (%s)', (_, denseLimit) => {
    // 3 features: constant, tag A, tag B. Warm items 0-9 carry A, 10-19 carry B; item 20 is cold with tag A.
    const d = 2;
    const items = 21;
    const tags = Array.from({ length: items }, (_, i) => [i < 10 || i === 20 ? 'A' : 'B']);
    const features = contentFeatures(tags, [CONSTANT_FEATURE, 'A', 'B']);
    const warm = new Float32Array(items);
    const emb = new Float32Array(items * d);
    for (let i = 0; i < 20; i++) {
      warm[i] = 1;
      emb[i * d] = i < 10 ? 1 + 0.1 * (i % 3) : -1;
      emb[i * d + 1] = i < 10 ? 0.5 : 2 + 0.1 * (i % 2);
    }
    const { map, residual } = contentRegression({ features, warm }, denseLimit).split(emb, d);
    const predict = (i: number, q: number) => {
      let s = 0;
      for (let e = features.ptr[i]!; e < features.ptr[i + 1]!; e++) s += features.weights[e]! * map[features.ids[e]! * d + q]!;
      return s;
    };
    for (let i = 0; i < 20; i++) for (let q = 0; q < d; q++) expect(predict(i, q) + residual[i * d + q]!).toBeCloseTo(emb[i * d + q]!, 5);
    // The cold tag-A item lands near the tag-A items' mean (≈ (1.09, 0.5)), far from the tag-B ones.
    expect(predict(20, 0)).toBeGreaterThan(0.7);
    expect(predict(20, 1)).toBeLessThan(1);
    expect(Array.from(residual.subarray(20 * d))).toEqual([0, 0]);
  });

  it('solves the content regression of a many-tag catalog by conjugate gradients to the dense solution', () => {
    const r = createRng('content-cg');
    const items = 400;
    const names = [CONSTANT_FEATURE, ...Array.from({ length: 60 }, (_, t) => `t${t}`)];
    const tags = Array.from({ length: items }, () => Array.from({ length: 1 + r.int(4) }, () => names[1 + r.int(60)]!));
    const features = contentFeatures(tags, names);
    const warm = Float32Array.from({ length: items }, () => (r.next() < 0.8 ? 1 : 0));
    const d = 3;
    const emb = Float32Array.from({ length: items * d }, () => r.normal());
    const dense = contentRegression({ features, warm }).split(emb, d);
    const iterative = contentRegression({ features, warm }, 0).split(emb, d);
    for (let k = 0; k < dense.map.length; k++) expect(iterative.map[k]!).toBeCloseTo(dense.map[k]!, 5);
    for (let k = 0; k < dense.residual.length; k++) expect(iterative.residual[k]!).toBeCloseTo(dense.residual[k]!, 5);
  });

  it("'auto' keeps whichever start validates better, and the kept parameters reproduce that validation", async () => {
    const validation = Array.from({ length: 30 }, (_, u) => ({
      user: `v${u}`,
      items: Int32Array.from(new Set(Array.from({ length: 14 }, () => (u % 2 ? 0 : 20) + rng.int(20)))),
    }));
    const data = { tags: Array.from({ length: ITEMS }, () => undefined), train, validation };
    const ks = [1, 3, 5];
    const config = { ...DEFAULT_TRAIN_CONFIG, dim: DIM, iterations: 20, validateEvery: 10, pretrainIterations: 10, batchSize: 8, neighbours: 10, alsLambdas: [1, 10], validationKs: ks };
    const m = await trainMeta(data, config);
    try {
      const { als, pooled, chosen } = m.start;
      expect(als && pooled !== undefined).toBe(true);
      // λ grid plus one decade beyond the edge, the 6 × 3 item-item × popularity head, 2 more inner rates.
      expect(als!.trials.length).toBe(2 + 1 + 17 + 2);
      expect(m.validation.mean).toBe(Math.max(pooled!, als!.mean));
      expect(chosen).toBe(als!.mean > pooled! ? 'als' : 'pooled');
      const inp = trainedInputs(m);
      // Re-validated on the objective the run chose by (the default's next click).
      const again = await validate(m.params, inp, validation, config, config.innerSteps, { neighbours: m.neighbours, transitions: m.transitions });
      disposeInputs(inp);
      expect(again.mean).toBeCloseTo(m.validation.mean, 5);
    } finally {
      disposeParams(m.params);
    }
  });
  it('under a spent time budget keeps the one trial it ran and says the search stopped there', async () => {
    const content = { features: contentFeatures(Array.from({ length: ITEMS }, () => undefined), [CONSTANT_FEATURE]), warm: counts.map((c) => (c > 0 ? 1 : 0)) };
    const inp = inputs();
    let validations = 0;
    const search = {
      train,
      base: await baseArrays(1),
      shape,
      inputs: inp,
      content,
      steps: 2,
      neighbours: undefined,
      validate: async () => ({ mean: ++validations / 10, byK: {} }),
    };
    const lambdas = { ...cfg, lambdas: [1, 10, 100] };
    const full = await selectAlsStart(search, lambdas);
    expect(full.stoppedAfter).toBeUndefined();
    expect(full.trials.length).toBeGreaterThan(3);
    validations = 0;
    const spent = await selectAlsStart({ ...search, deadline: performance.now() - 1 }, lambdas);
    expect(spent.trials).toHaveLength(1);
    expect(spent.stoppedAfter).toBe(1);
    expect(spent.head.lambda).toBe(1);
    // The one ALS run it started ran one iteration: the budget was spent before it began.
    expect(spent.iterationsRun).toBe(1);
    disposeInputs(inp);
  });

  it('stops a running ALS after the iteration in which its deadline passes, keeps those factors, and starts no other λ', async () => {
    const content = { features: contentFeatures(Array.from({ length: ITEMS }, () => undefined), [CONSTANT_FEATURE]), warm: counts.map((c) => (c > 0 ? 1 : 0)) };
    const inp = inputs();
    // An injected clock: each reading is one minute later, so the deadline 2 passes at the third reading, after ALS iteration 3.
    let minute = 0;
    const search = { train, base: await baseArrays(1), shape, inputs: inp, content, steps: 2, neighbours: undefined, validate: async () => ({ mean: 0.5, byK: {} }), deadline: 2, now: () => minute++ };
    const cut = await selectAlsStart(search, { ...cfg, lambdas: [1, 10, 100] });
    expect(cut.iterationsRun).toBe(3);
    expect(cut.trials).toHaveLength(1);
    expect(cut.stoppedAfter).toBe(1);
    // What it kept is ALS's 3-iteration solution.
    const three = alsEmbeddings(alsData(train, ITEMS, content), cfg, 1, (() => { let k = 0; return () => ++k >= 3; })());
    expect(three.iterations).toBe(3);
    expect(Array.from(cut.arrays.itemEmb)).toEqual(Array.from(three.itemEmb));
    disposeInputs(inp);
  });
});
