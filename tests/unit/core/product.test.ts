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
  type Product = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D;
  /** `ours` against tf.matMul's `theirs` on seeded a [aRows, aCols], b [bRows, bCols] (product [aRows, cols]): value (`exact`: bit for bit), both gradients, no tensor left. */
  const agrees = async (ours: Product, theirs: Product, seeds: string, [aRows, aCols, bRows, bCols, cols]: readonly number[], exact: boolean): Promise<void> => {
    const a = random(`${seeds[0]}${aRows}`, aRows!, aCols!);
    const b = random(`${seeds[1]}${bRows}`, bRows!, bCols!);
    const w = random(`${seeds[2]}${aRows}${cols}`, aRows!, cols!);
    const before = tf.memory().numTensors;
    const loss = (f: Product) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, f(x as tf.Tensor2D, y as tf.Tensor2D)));
    const gOurs = tf.grads(loss(ours))([a, b]);
    const gTheirs = tf.grads(loss(theirs))([a, b]);
    const [value, want] = [ours(a, b), theirs(a, b)];
    if (exact) expect(Array.from(await value.data())).toEqual(Array.from(await want.data()));
    else expect(await maxRelDiff(value, want)).toBeLessThan(1e-6);
    expect(await maxRelDiff(gOurs[0]!, gTheirs[0]!)).toBeLessThan(1e-5);
    expect(await maxRelDiff(gOurs[1]!, gTheirs[1]!)).toBeLessThan(1e-5);
    tf.dispose([...gOurs, ...gTheirs, value, want]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, w]);
  };
  // The shapes training meets: users × dim against a catalog, and a one-hot row selection.
  for (const [m, k, n] of [[32, 32, 3001], [5, 7, 11], [64, 16, 900]] as const) {
    it(`timesTransposed = matMul(a, b, false, true) in value and both gradients (${m}×${k} · (${n}×${k})ᵀ)`, () =>
      agrees(timesTransposed, (x, y) => tf.matMul(x, y, false, true), 'abw', [m, k, n, k, n], false));
    it(`times = matMul(a, b) in value (bit for bit) and both gradients (${m}×${n} · ${n}×${k})`, () =>
      agrees(times, (x, y) => tf.matMul(x, y), 'cde', [m, n, n, k, k], true));
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
