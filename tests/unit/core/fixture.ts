import * as tf from '@tensorflow/tfjs';
import { CONSTANT_FEATURE, contentFeatures, itemInputs, type SparseFeatures } from '../../../src/core/features';
import { neighbourRow } from '../../../src/core/neighbours';
import { initParams, type MetaParams, type ModelShape } from '../../../src/core/params';
import { recencyWeights } from '../../../src/core/recency';
import { seqWeights } from '../../../src/core/transitions';
import type { FeedbackBatch, ItemInputs, Neighbours } from '../../../src/core/types';
import { createRng } from '../../../src/math/rng';
import { weightedRows } from '../../../src/train/tasks';

/** Item-item lists for tinyModel's 7 items, 2 per item (-1: none). */
export const TINY_NEIGHBOURS: Neighbours = {
  m: 2,
  ids: Int32Array.from([1, 2, 0, 3, 0, -1, 1, 4, 3, 6, -1, -1, 4, -1]),
  sims: Float32Array.from([0.9, 0.4, 0.9, 0.5, 0.4, 0, 0.5, 0.3, 0.3, 0.8, 0, 0, 0.8, 0]),
};

/** A tiny random model: 7 items, 3 features (feature 0 constant), dim 4, items 5 and 6 cold. */
export function tinyModel(seed = 1): { shape: ModelShape; params: MetaParams; inputs: ItemInputs; features: SparseFeatures } {
  const shape = { items: 7, features: 3, dim: 4 };
  const params = initParams(shape, { seed, scale: 0.5, innerLr: 0.7, protoScale: 0.8 });
  // non-zero biases so that every parameter matters in the checks
  params.itemBias.dispose();
  params.itemBias = tf.tensor1d([0.3, -0.2, 0.1, 0.5, -0.4, 0.9, -0.9]);
  params.contentBias.dispose();
  params.contentBias = tf.tensor1d([0.1, 0.2, -0.3]);
  const rng = createRng(seed + 100);
  const names = [CONSTANT_FEATURE, 'a', 'b'];
  const tags = Array.from({ length: shape.items }, () => names.slice(1).filter(() => rng.next() < 0.5));
  const features = contentFeatures(tags, names);
  const inputs = itemInputs(features, Float32Array.of(1, 1, 1, 1, 1, 0, 0), Float32Array.of(3, 1.5, 2, 0.7, 1, 0, 0));
  return { shape, params, inputs, features };
}

/** Two users' support and query feedback over the 7 items, with item-item rows for the support. */
export function tinyTasks(): { support: FeedbackBatch; query: FeedbackBatch } {
  return {
    support: {
      positives: tf.tensor2d([[0.5, 0.5, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]]),
      negatives: tf.tensor2d([[0, 0, 0.25, 0, 0.25, 0, 0], [0, 0, 0, 0, 0, 0, 0]]),
      count: tf.tensor2d([[2], [1]]),
      neighbours: tf.tensor2d([[0.2, 0.1, 0.6, 0, 0.3, 0.05, 0], [0.4, 0, 0, 0, 0.7, 0, 0.2]]),
    },
    query: {
      positives: tf.tensor2d([[0, 0, 0, 0, 0, 1, 0], [0, 0, 0.5, 0, 0, 0, 0.5]]),
      negatives: tf.tensor2d([[0, 0, 0, 0, 0, 0, 0], [0, 0.5, 0, 0, 0, 0, 0]]),
      excluded: tf.tensor2d([[1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0]]),
    },
  };
}

const N = 7;
/** Item lists over the 7 items of tinyModel: neighbours (similarities) and transitions (shares). */
export const ORDER_LISTS: Neighbours = { m: 2, ids: Int32Array.of(1, 2, 0, 3, 4, 0, 1, 5, 6, 2, 3, -1, 0, 4), sims: Float32Array.of(0.5, 0.2, 0.5, 0.3, 0.4, 0.2, 0.3, 0.6, 0.1, 0.4, 0.3, 0, 0.2, 0.5) };
export const ORDER_NEXT: Neighbours = { m: 2, ids: Int32Array.of(2, 4, 3, -1, 5, 6, 0, 1, 6, 2, 1, 0, 3, 5), sims: Float32Array.of(0.6, 0.3, 0.8, 0, 0.5, 0.4, 0.7, 0.2, 0.6, 0.1, 0.5, 0.5, 0.4, 0.3) };
/** Two users' ordered clicks, oldest first. */
export const ORDER_SUPPORTS = [Int32Array.of(0, 3, 1), Int32Array.of(4, 2)];

function orderRows(lists: Neighbours, weights: readonly ArrayLike<number>[]): tf.Tensor2D {
  const out = new Float32Array(ORDER_SUPPORTS.length * N);
  ORDER_SUPPORTS.forEach((s, u) => neighbourRow(lists, s, out.subarray(u * N, (u + 1) * N), weights[u]));
  return tf.tensor2d(out, [ORDER_SUPPORTS.length, N]);
}

/** The order-aware support (recency-weighted clicks, item-item and transition rows) built at `decay`; with `learn`, also the rows' derivatives in it, as the trainer builds them. */
export function orderSupport(decay: number, learn: boolean): FeedbackBatch {
  const rec = ORDER_SUPPORTS.map((s) => recencyWeights(s.length, decay));
  const seq = ORDER_SUPPORTS.map((s) => seqWeights(s.length, decay));
  const base: FeedbackBatch = {
    positives: tf.tensor2d(weightedRows(ORDER_SUPPORTS, rec.map((w) => w.weights), N), [2, N]),
    count: tf.tensor2d([[3], [2]]),
    neighbours: orderRows(ORDER_LISTS, rec.map((w) => w.weights)),
    transitions: orderRows(ORDER_NEXT, seq.map((w) => w.weights)),
  };
  if (!learn) return base;
  return {
    ...base,
    decayAt: tf.tensor2d([[decay]]),
    positivesDecay: tf.tensor2d(weightedRows(ORDER_SUPPORTS, rec.map((w) => w.dDecay), N), [2, N]),
    neighboursDecay: orderRows(ORDER_LISTS, rec.map((w) => w.dDecay)),
    transitionsDecay: orderRows(ORDER_NEXT, seq.map((w) => w.dDecay)),
  };
}

/** Central finite difference of a scalar function of one tensor entry. */
export async function finiteDifference(
  base: tf.Tensor,
  index: number,
  f: (t: tf.Tensor) => tf.Scalar,
  eps = 1e-2,
): Promise<number> {
  const values = (await base.data()).slice() as Float32Array;
  const at = async (delta: number): Promise<number> => {
    const v = values.slice();
    v[index]! += delta;
    const t = tf.tensor(v, base.shape);
    const y = f(t);
    const out = (await y.data())[0]!;
    t.dispose();
    y.dispose();
    return out;
  };
  return ((await at(eps)) - (await at(-eps))) / (2 * eps);
}
