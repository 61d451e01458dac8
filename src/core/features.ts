import * as tf from '@tensorflow/tfjs-core';
import type { ContentInputs, ItemInputs } from './types';

/** Name of feature 0, which every item has: it carries the shared cold-item vector and bias. */
export const CONSTANT_FEATURE = '(all items)';

/**
 * Content features as compressed sparse rows: item i has the features
 * `ids[ptr[i] .. ptr[i + 1])` with `weights` alongside. Feature 0 (constant,
 * weight 1) comes first in every row, then the item's known tags, ascending,
 * each weighing 1/sqrt(#tags) so that items with many tags do not dominate.
 * Never a dense [items, features] matrix: a catalog of 27k books and 12k tags
 * would be 325M floats, and it is ~4 entries per item.
 */
export interface SparseFeatures {
  /** Features in the vocabulary, the constant one included. */
  readonly count: number;
  /** [items + 1] row offsets. */
  readonly ptr: Int32Array;
  /** [entries] feature ids, row by row. */
  readonly ids: Int32Array;
  /** [entries] feature values. */
  readonly weights: Float32Array;
}

/** Normalisation of an item's tag features, so that items with many tags do not dominate. */
function tagWeight(count: number): number {
  return count > 0 ? 1 / Math.sqrt(count) : 0;
}

/** Items carrying each tag (a tag listed twice on one item counts once). */
export function tagCounts(tags: readonly (readonly string[] | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of tags) for (const t of new Set(list ?? [])) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * The feature vocabulary from item tags: the constant feature, then every tag
 * carried by at least `minCount` items, most frequent first (ties by name).
 * No cap on its size: which minimum count pays is chosen on validation users
 * (train/vocabulary).
 */
export function featureVocabulary(tags: readonly (readonly string[] | undefined)[], minCount = 2): string[] {
  const kept = [...tagCounts(tags)]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([t]) => t);
  return [CONSTANT_FEATURE, ...kept];
}

/** The items' content as sparse rows over the vocabulary `names`; tags outside it are ignored. */
export function contentFeatures(tags: readonly (readonly string[] | undefined)[], names: readonly string[]): SparseFeatures {
  const column = new Map(names.map((n, i) => [n, i]));
  const ptr = new Int32Array(tags.length + 1);
  const rows: number[][] = tags.map((list) => {
    const cols = [...new Set(list ?? [])].map((t) => column.get(t)).filter((c): c is number => c !== undefined && c > 0);
    return cols.sort((a, b) => a - b);
  });
  rows.forEach((cols, i) => (ptr[i + 1] = ptr[i]! + 1 + cols.length));
  const ids = new Int32Array(ptr[tags.length]!);
  const weights = new Float32Array(ids.length);
  rows.forEach((cols, i) => {
    const at = ptr[i]!;
    weights[at] = 1;
    const w = tagWeight(cols.length);
    cols.forEach((c, j) => {
      ids[at + 1 + j] = c;
      weights[at + 1 + j] = w;
    });
  });
  return { count: names.length, ptr, ids, weights };
}

/** The content rows of the items `ids` alone (row k: item ids[k]), for a table of those items (core/sampled). */
export function featureRows(features: SparseFeatures, ids: ArrayLike<number>): SparseFeatures {
  const ptr = new Int32Array(ids.length + 1);
  for (let k = 0; k < ids.length; k++) ptr[k + 1] = ptr[k]! + features.ptr[ids[k]! + 1]! - features.ptr[ids[k]!]!;
  const out = { count: features.count, ptr, ids: new Int32Array(ptr[ids.length]!), weights: new Float32Array(ptr[ids.length]!) };
  for (let k = 0; k < ids.length; k++) {
    const [from, to] = [features.ptr[ids[k]!]!, features.ptr[ids[k]! + 1]!];
    out.ids.set(features.ids.subarray(from, to), ptr[k]!);
    out.weights.set(features.weights.subarray(from, to), ptr[k]!);
  }
  return out;
}

/** log(1 + count) per item: the popularity input of the prior. */
export function logPopularity(counts: ArrayLike<number>): Float32Array {
  return Float32Array.from(counts, (c) => Math.log1p(c));
}

/**
 * The content rows as the index tensors core/sparse's product runs on. Each
 * row must be feature 0 at weight 1, then tags sharing one weight (what
 * contentFeatures builds): the product is then `W[0] + scale_i · Σ_tags W[t]`,
 * one SparseSegmentSum, which every tfjs backend has.
 */
export function contentInputs(features: SparseFeatures): ContentInputs {
  const items = features.ptr.length - 1;
  const tags = features.ids.length - items;
  const tagIds = new Int32Array(tags);
  const tagRows = new Int32Array(tags);
  const scale = new Float32Array(items);
  let k = 0;
  for (let i = 0; i < items; i++) {
    const [from, to] = [features.ptr[i]!, features.ptr[i + 1]!];
    if (to <= from || features.ids[from] !== 0 || features.weights[from] !== 1) {
      throw new Error(`Content row of item ${i} does not start with the constant feature 0 at weight 1: build rows with contentFeatures().`);
    }
    for (let e = from + 1; e < to; e++) {
      const id = features.ids[e]!;
      if (id <= 0 || id >= features.count) throw new Error(`Content row of item ${i} names feature ${id}: the vocabulary has features 1..${features.count - 1} besides the constant.`);
      if (e > from + 1 && features.weights[e] !== features.weights[from + 1]) {
        throw new Error(`Content row of item ${i} has tags of different weights (${features.weights[from + 1]}, ${features.weights[e]}): tags of one item share 1/sqrt(#tags).`);
      }
      tagIds[k] = id;
      tagRows[k++] = i;
    }
    scale[i] = to - from > 1 ? features.weights[from + 1]! : 0;
  }
  // The transpose (feature → items, ascending features) for the gradient.
  const order = Array.from(tagIds.keys()).sort((a, b) => tagIds[a]! - tagIds[b]! || tagRows[a]! - tagRows[b]!);
  return {
    items,
    count: features.count,
    tags,
    tagIds: tf.tensor1d(tagIds, 'int32'),
    tagRows: tf.tensor1d(tagRows, 'int32'),
    tagItems: tf.tensor1d(Int32Array.from(order, (e) => tagRows[e]!), 'int32'),
    tagOf: tf.tensor1d(Int32Array.from(order, (e) => tagIds[e]!), 'int32'),
    scale: tf.tensor2d(scale, [items, 1]),
  };
}

/** The item-side inputs as tensors; free them with disposeInputs. */
export function itemInputs(features: SparseFeatures, warm: Float32Array, logPop: Float32Array): ItemInputs {
  const items = warm.length;
  if (logPop.length !== items) throw new Error(`Popularity input has ${logPop.length} values, expected one per item (${items}).`);
  if (features.ptr.length !== items + 1) {
    throw new Error(`Content features have ${features.ptr.length - 1} rows, expected one per item (${items}).`);
  }
  return {
    features: contentInputs(features),
    warm: tf.tensor2d(warm, [items, 1]),
    logPop: tf.tensor2d(logPop, [items, 1]),
  };
}

/** Frees every tensor of an item side. */
export function disposeInputs(inputs: ItemInputs): void {
  const f = inputs.features;
  tf.dispose([f.tagIds, f.tagRows, f.tagItems, f.tagOf, f.scale, inputs.warm, inputs.logPop]);
}
