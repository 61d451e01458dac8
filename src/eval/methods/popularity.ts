import { itemCounts } from '../../math/sparse.js';
import type { FoldData } from '../../protocol/types.js';
import type { Method, Scorer } from '../types.js';

/** Popularity scorer: score(i) = number of training users with i as a positive, whatever the support. */
export function popularityScorer(fold: FoldData): Scorer {
  const counts = itemCounts(fold.train.map((u) => u.items), fold.catalog.length);
  return { score: async () => counts, tuning: { hyperparameters: 'none (exactly specified by protocol v1)' } };
}

/** Protocol v1's exactly specified Popularity baseline. */
export function popularity(): Method {
  return { name: 'popularity', tunes: false, fit: async (fold) => popularityScorer(fold) };
}
