// Sparse products with gradients on every tfjs backend. tf.gather's gradient
// needs UnsortedSegmentSum, which wasm lacks, and ScatterNd there takes ~100×
// longer than SparseSegmentSum (2.5 s against 22 ms for 100k items × 4 tags ×
// 65 columns): so both directions of each product are one SparseSegmentSum,
// with the reverse direction's indices precomputed.
import * as tf from '@tensorflow/tfjs-core';
import type { ContentInputs } from './types';

/** `x` with zero rows appended up to `rows` (SparseSegmentSum stops at the last segment it saw). */
function padRows(x: tf.Tensor2D, rows: number): tf.Tensor2D {
  const have = x.shape[0];
  return have >= rows ? x : (tf.concat([x, tf.zeros([rows - have, x.shape[1]])]) as tf.Tensor2D);
}

/** Σ over each sorted segment of `data[indices]`: [rows, D]. */
function segmentSum(data: tf.Tensor2D, indices: tf.Tensor1D, segments: tf.Tensor1D, rows: number): tf.Tensor2D {
  if (indices.shape[0] === 0) return tf.zeros([rows, data.shape[1]]);
  return padRows(tf.sparse.sparseSegmentSum(data, indices, segments) as tf.Tensor2D, rows);
}

/** X·W for the content rows X: `W[0] + scale_i · Σ_{tags t of i} W[t]`, [items, D]. */
function contentForward(c: ContentInputs, w: tf.Tensor2D): tf.Tensor2D {
  const constant = tf.slice(w, [0, 0], [1, w.shape[1]]);
  // A broadcast product, not tf.tile: tfjs-wasm's Tile took 90 ms for 17,632 × 32 (half of a Last.fm
  // evaluation's CPU time, once per meta-batch and validation) against 8 ms here; the same bits (1 · w).
  if (c.tags === 0) return tf.mul(tf.ones([c.items, 1]), constant) as tf.Tensor2D;
  return tf.add(constant, tf.mul(c.scale, segmentSum(w, c.tagIds, c.tagRows, c.items))) as tf.Tensor2D;
}

/** Xᵀ·dY: row 0 (the constant feature) gets every item's gradient, each tag its items', scaled. */
function contentBackward(c: ContentInputs, dy: tf.Tensor2D): tf.Tensor2D {
  const constant = tf.sum(dy, 0, true);
  if (c.count === 1) return constant as tf.Tensor2D;
  // Tag ids start at 1: segment row 0 stays empty and is replaced by the constant's row.
  const tags = segmentSum(tf.mul(c.scale, dy) as tf.Tensor2D, c.tagItems, c.tagOf, c.count);
  return tf.concat([constant, tf.slice(tags, [1, 0], [c.count - 1, dy.shape[1]])]) as tf.Tensor2D;
}

/**
 * X·W for sparse content X [items, features] and W [features, D]: [items, D],
 * differentiable in W (the gradient Xᵀ·dY is itself a sparse product).
 * Memory O(items × D + entries), never O(items × features).
 */
export function contentProduct(content: ContentInputs, w: tf.Tensor2D): tf.Tensor2D {
  if (w.shape[0] !== content.count) throw new Error(`Content map has ${w.shape[0]} rows, expected one per feature (${content.count}).`);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: contentForward(content, args[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => contentBackward(content, dy as tf.Tensor2D),
  }));
  return op(w) as tf.Tensor2D;
}

/**
 * Rows `ids` of `x` ([n, D] → [ids, D]), differentiable in x on every backend.
 * `ids` must be ascending and distinct (e.g. a sampled candidate set): the
 * gradient puts each row back where it came from, zeros elsewhere.
 */
export function gatherRows(x: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const n = x.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.gather(args[0] as tf.Tensor2D, ids) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => segmentSum(dy as tf.Tensor2D, tf.range(0, ids.shape[0], 1, 'int32') as tf.Tensor1D, ids, n)),
  }));
  return op(x) as tf.Tensor2D;
}

/** Columns `ids` of `x` ([B, n] → [B, ids]), differentiable in x; `ids` ascending and distinct. */
export function gatherColumns(x: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return tf.transpose(gatherRows(tf.transpose(x) as tf.Tensor2D, ids)) as tf.Tensor2D;
}
