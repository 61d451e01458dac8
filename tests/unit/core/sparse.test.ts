import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { CONSTANT_FEATURE, contentFeatures, contentInputs, featureVocabulary, type SparseFeatures } from '../../../src/core/features';
import { contentProduct, gatherColumns, gatherRows } from '../../../src/core/sparse';
import { createRng } from '../../../src/math/rng';

/** The dense [items, features] matrix of sparse rows: only the tests build one. */
function dense(f: SparseFeatures): number[][] {
  const items = f.ptr.length - 1;
  const out = Array.from({ length: items }, () => new Array<number>(f.count).fill(0));
  for (let i = 0; i < items; i++) for (let e = f.ptr[i]!; e < f.ptr[i + 1]!; e++) out[i]![f.ids[e]!] += f.weights[e]!;
  return out;
}

/** A catalog with items without tags, the last ones included (SparseSegmentSum stops at the last segment it sees). */
function catalog(): { tags: (string[] | undefined)[]; names: string[] } {
  const rng = createRng('sparse-catalog');
  const words = ['author:a', 'author:b', 'publisher:x', 'publisher:y', 'decade:1990', 'decade:2000', 'rare'];
  const tags = Array.from({ length: 23 }, (_, i) => (i % 5 === 4 || i >= 21 ? undefined : words.filter(() => rng.next() < 0.4)));
  return { tags, names: featureVocabulary(tags, 1) };
}

describe.each(['cpu', 'wasm'])('sparse products on %s', (backend) => {
  it('contentFeatures holds the constant, then each known tag at 1/sqrt(#tags); no row is dense', async () => {
    const f = contentFeatures([['b', 'a', 'a', 'unknown'], [], undefined], [CONSTANT_FEATURE, 'a', 'b']);
    expect(Array.from(f.ptr)).toEqual([0, 3, 4, 5]);
    expect(Array.from(f.ids)).toEqual([0, 1, 2, 0, 0]);
    expect(Array.from(f.weights)).toEqual([1, Math.fround(1 / Math.SQRT2), Math.fround(1 / Math.SQRT2), 1, 1]);
  });

  it('X·W equals the dense product, and its gradient is Xᵀ·dY', async () => {
    await tf.setBackend(backend);
    const { tags, names } = catalog();
    const f = contentFeatures(tags, names);
    const x = dense(f);
    const rng = createRng('w');
    const d = 3;
    const w = tf.tensor2d(Array.from({ length: names.length * d }, () => rng.normal()), [names.length, d]);
    const r = tf.tensor2d(Array.from({ length: x.length * d }, () => rng.normal()), [x.length, d]);
    const before = tf.memory().numTensors;
    const c = contentInputs(f);
    const y = contentProduct(c, w);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(contentProduct(c, v as tf.Tensor2D), r)))(w);
    const want = tf.tidy(() => tf.matMul(tf.tensor2d(x), w));
    const wantGrad = tf.tidy(() => tf.matMul(tf.tensor2d(x), r, true, false));
    expect(y.shape).toEqual([x.length, d]);
    expect(Array.from(await y.data()).map((v, k) => v - (want.dataSync()[k] ?? NaN)).every((e) => Math.abs(e) < 1e-5)).toBe(true);
    const [got, ref] = [await g.data(), await wantGrad.data()];
    for (let k = 0; k < ref.length; k++) expect(got[k]!).toBeCloseTo(ref[k]!, 5);
    tf.dispose([y, g, want, wantGrad, c.tagIds, c.tagRows, c.tagItems, c.tagOf, c.scale]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, r]);
  });

  it('works without any tag (only the constant feature)', async () => {
    await tf.setBackend(backend);
    const c = contentInputs(contentFeatures([undefined, ['x'], []], [CONSTANT_FEATURE]));
    const w = tf.tensor2d([[2, -1]]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(contentProduct(c, v as tf.Tensor2D)))(w);
    expect(Array.from(await contentProduct(c, w).data())).toEqual([2, -1, 2, -1, 2, -1]);
    expect(Array.from(await g.data())).toEqual([3, 3]);
    // Every row is the constant's, bit for bit (a negative zero stays one), as tiling it gave.
    const signed = Array.from(await contentProduct(c, tf.tensor2d([[-0, 0.1]])).data());
    expect(signed.map((v) => Object.is(v, -0))).toEqual([true, false, true, false, true, false]);
    expect(signed.filter((_, i) => i % 2 === 1)).toEqual(Array.from(await tf.tile(tf.tensor2d([[0.1]]), [3, 1]).data()));
  });

  it('gathers rows and columns with the gradient scattered back (no tf.gather gradient needed)', async () => {
    await tf.setBackend(backend);
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const ids = tf.tensor1d([1, 2], 'int32');
    expect(await gatherRows(x, ids).array()).toEqual([[3, 4], [5, 6]]);
    const gr = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gatherRows(v as tf.Tensor2D, ids), tf.tensor2d([[1, 2], [3, 4]]))))(x);
    expect(await gr.array()).toEqual([[0, 0], [1, 2], [3, 4], [0, 0]]);
    const cols = tf.tensor1d([0, 1], 'int32');
    const m = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    expect(await gatherColumns(m, cols).array()).toEqual([[1, 2], [4, 5]]);
    const gc = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gatherColumns(v as tf.Tensor2D, cols), tf.tensor2d([[1, 2], [3, 4]]))))(m);
    expect(await gc.array()).toEqual([[1, 2, 0], [3, 4, 0]]);
  });

  it('refuses rows it cannot multiply, naming the item', () => {
    expect(() => contentInputs({ count: 2, ptr: Int32Array.of(0, 1), ids: Int32Array.of(1), weights: Float32Array.of(1) })).toThrow(/item 0 does not start with the constant feature/);
  });
});
