import { gridSearch } from '../evaluate.js';
import type { FoldData } from '../../protocol/types.js';
import { sharedPiece } from '../registry.js';
import type { Method, Scorer } from '../types.js';
import { cosineIndex, type CosineIndex } from './itemknn.js';
import { scorePrefixes } from './prefixes.js';

export const BLEND_WEIGHTS = [0, 0.01, 0.03, 0.1, 0.2, 0.35, 0.5, 0.75, 1] as const;

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** ItemKNN sums of one support or batch of supports, remembered for the latest one (identity): every weight of the grid asks for the same. */
function sharedKnn(index: CosineIndex) {
  const knnOf = (support: ArrayLike<number>): Float64Array => {
    const knn = new Float64Array(index.counts.length);
    index.accumulate(support, knn);
    return knn;
  };
  // Protocol v2's prefixes: the ItemKNN sums grow by one item each (the same floats in the same order).
  const many = (supports: readonly Int32Array[]): Float64Array[] =>
    scorePrefixes(supports, knnOf, (previous, item) => {
      const next = previous.slice();
      index.accumulate([item], next);
      return next;
    });
  let last: { key: Int32Array | readonly Int32Array[]; knn: Float64Array[] } | null = null;
  return (key: Int32Array | readonly Int32Array[]): Float64Array[] => {
    if (last?.key !== key) last = { key, knn: key instanceof Int32Array ? [knnOf(key)] : many(key) };
    return last.knn;
  };
}

/** (1 - w) * ItemKNN / its max + w * popularity / its max: both on [0, 1] so w means the same at every k. */
function blendScorer(index: CosineIndex, knn: ReturnType<typeof sharedKnn>, weight: number): Scorer {
  const popMax = maxOf(index.counts) || 1;
  const blend = (sums: Float64Array): Float64Array => {
    const knnMax = maxOf(sums) || 1;
    const out = new Float64Array(sums.length);
    for (let i = 0; i < out.length; i++) out[i] = ((1 - weight) * sums[i]!) / knnMax + (weight * index.counts[i]!) / popMax;
    return out;
  };
  return {
    score: async (support) => blend(knn(support)[0]!),
    scoreMany: async (supports) => knn(supports).map(blend),
  };
}

/** Popularity + ItemKNN blend, its weight chosen on the fold's validation users (every weight in one pass: the ItemKNN sums are computed once per support). */
export function popKnnBlend(weights: readonly number[] = BLEND_WEIGHTS): Method {
  return {
    name: 'pop-knn-blend',
    fit: async (fold: FoldData, ctx) => {
      const index = sharedPiece(ctx, 'cosine-index', () => cosineIndex(fold));
      const knn = sharedKnn(index);
      const grid = weights.map((weight) => ({ weight }));
      return gridSearch('pop-knn-blend', [grid], async ({ weight }) => blendScorer(index, knn, weight), fold.validation, ctx, {}, true);
    },
  };
}
