// The full tfjs: training needs the registered gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { itemInputs, logPopularity } from '../../../src/core/features';
import { fromArrays, initParams, toArrays, disposeParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { cholesky, choleskySolve } from '../../../src/math/linalg';
import { alsData, alsEmbeddings, alsParams } from '../../../src/train/als-start';
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
  return itemInputs(new Float32Array(ITEMS).fill(1), 1, counts.map((c) => (c > 0 ? 1 : 0)), logPopularity(counts));
}

async function scores(arrays: Parameters<typeof fromArrays>[0], support: Int32Array): Promise<Float32Array> {
  const params = fromArrays(arrays, shape);
  const inp = inputs();
  const [[s]] = (await adaptedScores(params, inp, [support], 0)) as [[Float32Array]];
  disposeParams(params);
  tf.dispose([inp.features, inp.warm, inp.logPop]);
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

  it('gives an item no training user touched the vector its tags predict, and leaves warm items exactly as they were', () => {
    // 3 features: constant, tag A, tag B. Warm items 0-9 carry A, 10-19 carry B; item 20 is cold with tag A.
    const d = 2;
    const items = 21;
    const features = new Float32Array(items * 3);
    const warm = new Float32Array(items);
    const emb = new Float32Array(items * d);
    for (let i = 0; i < items; i++) {
      features[i * 3] = 1;
      features[i * 3 + (i < 10 || i === 20 ? 1 : 2)] = 1;
      if (i === 20) continue;
      warm[i] = 1;
      emb[i * d] = i < 10 ? 1 + 0.1 * (i % 3) : -1;
      emb[i * d + 1] = i < 10 ? 0.5 : 2 + 0.1 * (i % 2);
    }
    const { map, residual } = contentRegression({ features, count: 3, warm }).split(emb, d);
    const predict = (i: number, q: number) => [0, 1, 2].reduce((s, a) => s + features[i * 3 + a]! * map[a * d + q]!, 0);
    for (let i = 0; i < 20; i++) for (let q = 0; q < d; q++) expect(predict(i, q) + residual[i * d + q]!).toBeCloseTo(emb[i * d + q]!, 5);
    // The cold tag-A item lands near the tag-A items' mean (≈ (1.09, 0.5)), far from the tag-B ones.
    expect(predict(20, 0)).toBeGreaterThan(0.7);
    expect(predict(20, 1)).toBeLessThan(1);
    expect(Array.from(residual.subarray(20 * d))).toEqual([0, 0]);
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
      tf.dispose([inp.features, inp.warm, inp.logPop]);
      expect(again.mean).toBeCloseTo(m.validation.mean, 5);
    } finally {
      disposeParams(m.params);
    }
  });
});
