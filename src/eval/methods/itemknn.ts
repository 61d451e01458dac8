import { cooccurrence } from '../../math/cooccurrence.js';
import type { FoldData } from '../../protocol/types.js';
import { sharedPiece } from '../registry.js';
import type { Method, Scorer } from '../types.js';
import { scorePrefixes } from './prefixes.js';

/** Item-item cosine over training users, computed per support item from the co-occurrence index. */
export interface CosineIndex {
  readonly counts: Float64Array;
  /** Adds sum over support j of |U_i ∩ U_j| / sqrt(|U_i| |U_j|) into `out` (0 where a set is empty). */
  accumulate(support: ArrayLike<number>, out: Float64Array): void;
  /** Adds weight · cosine(i, j) into `out[i]` for every item i sharing a user with j (nothing where j has no users). */
  addRow(j: number, weight: number, out: Float64Array): void;
}

/**
 * Builds the cosine index of a fold's training users. Each item's cosine row is
 * computed once, on first use, and kept: a co-occurrence row costs a pass over
 * every item of every user of the item, and protocol v2 asks for the same rows
 * at every prefix of every user, for every configuration tried.
 */
export function cosineIndex(fold: FoldData): CosineIndex {
  const index = cooccurrence(fold.train.map((u) => u.items), fold.catalog.length);
  const counts = index.counts;
  const rows: ({ items: Int32Array; cosine: Float64Array } | undefined)[] = new Array(counts.length);
  const rowOf = (j: number): { items: Int32Array; cosine: Float64Array } => {
    let row = rows[j];
    if (!row) {
      const nj = counts[j]!;
      const { items, both } = index.row(j);
      // The same expression as summed before the rows were kept, so the same floats.
      const cosine = Float64Array.from(items, (i) => both[i]! / Math.sqrt(counts[i]! * nj));
      rows[j] = row = { items: items.slice(), cosine };
    }
    return row;
  };
  return {
    counts,
    accumulate(support, out) {
      // Support order is the summation order, so every implementation adds the same floats.
      for (let s = 0; s < support.length; s++) {
        const j = support[s]!;
        if (counts[j] === 0) continue;
        const { items, cosine } = rowOf(j);
        for (let t = 0; t < items.length; t++) out[items[t]!] += cosine[t]!;
      }
    },
    addRow(j, weight, out) {
      if (counts[j] === 0) return;
      const { items, cosine } = rowOf(j);
      for (let t = 0; t < items.length; t++) out[items[t]!] += weight * cosine[t]!;
    },
  };
}

/** ItemKNN scorer: score(i) = sum over support j of the training-user cosine of i and j. */
export function itemknnScorer(fold: FoldData, index: CosineIndex = cosineIndex(fold)): Scorer {
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
  return { name: 'itemknn', tunes: false, fit: async (fold, ctx) => itemknnScorer(fold, sharedPiece(ctx, 'cosine-index', () => cosineIndex(fold))) };
}
