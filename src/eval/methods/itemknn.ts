import { cooccurrence } from '../../math/cooccurrence.js';
import type { FoldData } from '../../protocol/types.js';
import type { Method, Scorer } from '../types.js';
import { scorePrefixes } from './prefixes.js';

/** Item-item cosine over training users, computed per support item from the co-occurrence index. */
export interface CosineIndex {
  readonly counts: Float64Array;
  /** Adds sum over support j of |U_i ∩ U_j| / sqrt(|U_i| |U_j|) into `out` (0 where a set is empty). */
  accumulate(support: ArrayLike<number>, out: Float64Array): void;
}

/** Builds the cosine index of a fold's training users. */
export function cosineIndex(fold: FoldData): CosineIndex {
  const index = cooccurrence(fold.train.map((u) => u.items), fold.catalog.length);
  const counts = index.counts;
  return {
    counts,
    accumulate(support, out) {
      // Support order is the summation order, so every implementation adds the same floats.
      for (let s = 0; s < support.length; s++) {
        const j = support[s]!;
        const nj = counts[j]!;
        if (nj === 0) continue;
        const { items, both } = index.row(j);
        for (let t = 0; t < items.length; t++) {
          const i = items[t]!;
          out[i] += both[i]! / Math.sqrt(counts[i]! * nj);
        }
      }
    },
  };
}

/** ItemKNN scorer: score(i) = sum over support j of the training-user cosine of i and j. */
export function itemknnScorer(fold: FoldData): Scorer {
  const index = cosineIndex(fold);
  const fresh = (support: Int32Array): Float64Array => {
    const out = new Float64Array(fold.catalog.length);
    index.accumulate(support, out);
    return out;
  };
  return {
    score: async (support) => fresh(support),
    // Support order is the summation order: adding the next item to a copy adds the same floats in the same order.
    scoreMany: async (supports) =>
      scorePrefixes(supports, fresh, (previous, item) => {
        const next = previous.slice();
        index.accumulate([item], next);
        return next;
      }),
    tuning: { hyperparameters: 'none (exactly specified by protocol v1)' },
  };
}

/** Protocol v1's exactly specified ItemKNN baseline. */
export function itemknn(): Method {
  return { name: 'itemknn', tunes: false, fit: async (fold) => itemknnScorer(fold) };
}
