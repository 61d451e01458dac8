import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { times, timesTransposed } from '../../../src/core/product';
import { createRng } from '../../../src/math/rng';
import { finiteDifference } from './fixture';

// core/product: the catalog products with gradients that never take tfjs-wasm's
// slow transpose-flag path. Their values and gradients must be tf.matMul's.
let previous = '';
beforeAll(() => {
  previous = tf.getBackend();
});
afterAll(async () => {
  if (previous) await tf.setBackend(previous);
});

const random = (seed: string, rows: number, cols: number): tf.Tensor2D => {
  const rng = createRng(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols]);
};

async function maxRelDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k]! - y[k]!) / Math.max(1, Math.abs(y[k]!)));
  return worst;
}

describe.each(['cpu', 'wasm'] as const)('core/product on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });
  // The shapes training meets: users × dim against a catalog, and a one-hot row selection.
  for (const [m, k, n] of [[32, 32, 3001], [5, 7, 11], [64, 16, 900]] as const) {
    it(`timesTransposed = matMul(a, b, false, true) in value and both gradients (${m}×${k} · (${n}×${k})ᵀ)`, async () => {
      const a = random(`a${m}`, m, k);
      const b = random(`b${n}`, n, k);
      const w = random(`w${m}${n}`, m, n);
      const before = tf.memory().numTensors;
      const loss = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, f(x as tf.Tensor2D, y as tf.Tensor2D)));
      const ours = tf.grads(loss(timesTransposed))([a, b]);
      const theirs = tf.grads(loss((x, y) => tf.matMul(x, y, false, true)))([a, b]);
      const [v1, v2] = [timesTransposed(a, b), tf.matMul(a, b, false, true)];
      expect(await maxRelDiff(v1, v2)).toBeLessThan(1e-6);
      expect(await maxRelDiff(ours[0]!, theirs[0]!)).toBeLessThan(1e-5);
      expect(await maxRelDiff(ours[1]!, theirs[1]!)).toBeLessThan(1e-5);
      tf.dispose([...ours, ...theirs, v1, v2]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b, w]);
    });
    it(`times = matMul(a, b) in value (bit for bit) and both gradients (${m}×${n} · ${n}×${k})`, async () => {
      const a = random(`c${m}`, m, n);
      const b = random(`d${n}`, n, k);
      const w = random(`e${m}${k}`, m, k);
      const before = tf.memory().numTensors;
      const loss = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, f(x as tf.Tensor2D, y as tf.Tensor2D)));
      const ours = tf.grads(loss(times))([a, b]);
      const theirs = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
      const [v1, v2] = [times(a, b), tf.matMul(a, b)];
      expect(Array.from(await v1.data())).toEqual(Array.from(await v2.data()));
      expect(await maxRelDiff(ours[0]!, theirs[0]!)).toBeLessThan(1e-5);
      expect(await maxRelDiff(ours[1]!, theirs[1]!)).toBeLessThan(1e-5);
      tf.dispose([...ours, ...theirs, v1, v2]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b, w]);
    });
  }
});

describe('core/product gradients against finite differences', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  it('d/da and d/db of Σ w ⊙ (a·bᵀ) and Σ w ⊙ (a·b)', async () => {
    const a = random('fa', 3, 4);
    const b = random('fb', 5, 4);
    const c = random('fc', 4, 2);
    const w = random('fw', 3, 5);
    const v = random('fv', 3, 2);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, timesTransposed(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
    const [ha, hc] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(v, times(x as tf.Tensor2D, y as tf.Tensor2D))))([a, c]);
    const checks: [tf.Tensor, tf.Tensor2D, (t: tf.Tensor) => tf.Scalar][] = [
      [ga!, a, (t) => tf.sum(tf.mul(w, tf.matMul(t as tf.Tensor2D, b, false, true)))],
      [gb!, b, (t) => tf.sum(tf.mul(w, tf.matMul(a, t as tf.Tensor2D, false, true)))],
      [ha!, a, (t) => tf.sum(tf.mul(v, tf.matMul(t as tf.Tensor2D, c)))],
      [hc!, c, (t) => tf.sum(tf.mul(v, tf.matMul(a, t as tf.Tensor2D)))],
    ];
    for (const [grad, at, f] of checks) {
      const g = await grad.data();
      for (let i = 0; i < g.length; i++) expect(g[i]!).toBeCloseTo(await finiteDifference(at, i, f), 2);
    }
  });
});
