import * as tf from '@tensorflow/tfjs-core';
import type { ItemInputs } from './types';

/** Name of feature 0, which every item has: it carries the shared cold-item vector and bias. */
export const CONSTANT_FEATURE = '(all items)';

/** Normalisation of an item's tag features, so that items with many tags do not dominate. */
function tagWeight(count: number): number {
  return count > 0 ? 1 / Math.sqrt(count) : 0;
}

/**
 * The feature vocabulary from item tags: the constant feature, then tags used
 * by at least `minCount` items, most frequent first (ties by name), at most `max`.
 */
export function featureVocabulary(
  tags: readonly (readonly string[] | undefined)[],
  options: { readonly minCount?: number; readonly max?: number } = {},
): string[] {
  const counts = new Map<string, number>();
  for (const list of tags) for (const t of new Set(list ?? [])) counts.set(t, (counts.get(t) ?? 0) + 1);
  const kept = [...counts]
    .filter(([, c]) => c >= (options.minCount ?? 2))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, options.max ?? 1024)
    .map(([t]) => t);
  return [CONSTANT_FEATURE, ...kept];
}

/** Dense [items × features] content matrix (row-major); unknown tags are ignored. */
export function featureMatrix(
  tags: readonly (readonly string[] | undefined)[],
  names: readonly string[],
): Float32Array {
  const column = new Map(names.map((n, i) => [n, i]));
  const width = names.length;
  const out = new Float32Array(tags.length * width);
  tags.forEach((list, i) => {
    out[i * width] = 1;
    const cols = [...new Set(list ?? [])].map((t) => column.get(t)).filter((c): c is number => c !== undefined && c > 0);
    const w = tagWeight(cols.length);
    for (const c of cols) out[i * width + c] = w;
  });
  return out;
}

/** log(1 + count) per item: the popularity input of the prior. */
export function logPopularity(counts: ArrayLike<number>): Float32Array {
  return Float32Array.from(counts, (c) => Math.log1p(c));
}

/** The item-side inputs as tensors; the caller disposes them. */
export function itemInputs(features: Float32Array, featureCount: number, warm: Float32Array, logPop: Float32Array): ItemInputs {
  const items = warm.length;
  if (logPop.length !== items) throw new Error(`Popularity input has ${logPop.length} values, expected one per item (${items}).`);
  if (features.length !== items * featureCount) {
    throw new Error(
      `Feature matrix has ${features.length} values, expected ${items} items × ${featureCount} features = ${items * featureCount}.`,
    );
  }
  return {
    features: tf.tensor2d(features, [items, featureCount]),
    warm: tf.tensor2d(warm, [items, 1]),
    logPop: tf.tensor2d(logPop, [items, 1]),
  };
}
