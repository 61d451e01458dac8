import * as tf from '@tensorflow/tfjs';
import { initParams, type MetaParams, type ModelShape } from '../../../src/core/params';
import type { FeedbackBatch, ItemInputs } from '../../../src/core/types';
import { createRng } from '../../../src/math/rng';

/** A tiny random model: 7 items, 3 features (feature 0 constant), dim 4, items 5 and 6 cold. */
export function tinyModel(seed = 1): { shape: ModelShape; params: MetaParams; inputs: ItemInputs } {
  const shape = { items: 7, features: 3, dim: 4 };
  const params = initParams(shape, { seed, scale: 0.5, innerLr: 0.7, protoScale: 0.8 });
  // non-zero biases so that every parameter matters in the checks
  params.itemBias.dispose();
  params.itemBias = tf.tensor1d([0.3, -0.2, 0.1, 0.5, -0.4, 0.9, -0.9]);
  params.contentBias.dispose();
  params.contentBias = tf.tensor1d([0.1, 0.2, -0.3]);
  const rng = createRng(seed + 100);
  const features = new Float32Array(shape.items * shape.features);
  for (let i = 0; i < shape.items; i++) {
    features[i * 3] = 1;
    features[i * 3 + 1] = rng.next() < 0.5 ? 1 : 0;
    features[i * 3 + 2] = rng.next() < 0.5 ? 1 : 0;
  }
  const inputs = {
    features: tf.tensor2d(features, [shape.items, shape.features]),
    warm: tf.tensor2d([1, 1, 1, 1, 1, 0, 0], [shape.items, 1]),
    logPop: tf.tensor2d([3, 1.5, 2, 0.7, 1, 0, 0], [shape.items, 1]),
  };
  return { shape, params, inputs };
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
