import { gridSearch } from '../evaluate.js';
import { sharedPiece } from '../registry.js';
import type { Method, Scorer } from '../types.js';
import { cosineIndex, type CosineIndex } from './itemknn.js';
import { scorePrefixes } from './prefixes.js';

/** Decays tried on validation users: the weight of the j-th most recent click is decay^j (1: plain ItemKNN). */
export const RECENCY_DECAYS = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3] as const;

/**
 * ItemKNN weighting the j-th most recent click (j = 0 for the last) by decay^j.
 * Successive prefixes of one history update incrementally: s_t = decay · s_(t-1) + cos(·, h_t).
 */
export function recencyKnnScorer(index: CosineIndex, decay: number): Scorer {
  const n = index.counts.length;
  // Items outside a row would add decay^j · 0, which leaves every sum as it is: only rows are added.
  const fresh = (support: Int32Array): Float64Array => {
    const out = new Float64Array(n);
    for (let j = 0; j < support.length; j++) index.addRow(support[j]!, decay ** (support.length - 1 - j), out);
    return out;
  };
  return {
    score: async (support) => fresh(support),
    scoreMany: async (supports) =>
      scorePrefixes(supports, fresh, (previous, item) => {
        const next = new Float64Array(n);
        for (let i = 0; i < n; i++) next[i] = previous[i]! * decay;
        index.addRow(item, 1, next);
        return next;
      }),
  };
}

/** Recency-weighted ItemKNN (protocol v2's reference row at 0.7), its decay chosen on validation users. */
export function itemknnRecency(decays: readonly number[] = RECENCY_DECAYS): Method {
  return {
    name: 'itemknn-recency',
    fit: async (fold, ctx) => {
      const index = sharedPiece(ctx, 'cosine-index', () => cosineIndex(fold));
      return gridSearch('itemknn-recency', [decays.map((decay) => ({ decay }))], async ({ decay }) => recencyKnnScorer(index, decay), fold.validation, ctx);
    },
  };
}
