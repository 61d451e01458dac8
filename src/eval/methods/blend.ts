import { gridSearch } from '../evaluate.js';
import type { FoldData } from '../../protocol/types.js';
import type { Method, Scorer } from '../types.js';
import { cosineIndex, type CosineIndex } from './itemknn.js';
import { scorePrefixes } from './prefixes.js';

export const BLEND_WEIGHTS = [0, 0.01, 0.03, 0.1, 0.2, 0.35, 0.5, 0.75, 1] as const;

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** (1 - w) * ItemKNN / its max + w * popularity / its max: both on [0, 1] so w means the same at every k. */
function blendScorer(index: CosineIndex, weight: number): Scorer {
  const popMax = maxOf(index.counts) || 1;
  const knnOf = (support: ArrayLike<number>): Float64Array => {
    const knn = new Float64Array(index.counts.length);
    index.accumulate(support, knn);
    return knn;
  };
  const blend = (knn: Float64Array): Float64Array => {
    const knnMax = maxOf(knn) || 1;
    return Float64Array.from(knn, (v, i) => ((1 - weight) * v) / knnMax + (weight * index.counts[i]!) / popMax);
  };
  return {
    score: async (support) => blend(knnOf(support)),
    // Protocol v2's prefixes: the ItemKNN sums grow by one item each (the same floats in the same order), then blend.
    scoreMany: async (supports) =>
      scorePrefixes(supports, knnOf, (previous, item) => {
        const next = previous.slice();
        index.accumulate([item], next);
        return next;
      }).map(blend),
  };
}

/** Popularity + ItemKNN blend, its weight chosen on the fold's validation users. */
export function popKnnBlend(weights: readonly number[] = BLEND_WEIGHTS): Method {
  return {
    name: 'pop-knn-blend',
    fit: async (fold: FoldData, ctx) => {
      const index = cosineIndex(fold);
      const grid = weights.map((weight) => ({ weight }));
      return gridSearch('pop-knn-blend', [grid], async ({ weight }) => blendScorer(index, weight), fold.validation, ctx);
    },
  };
}
