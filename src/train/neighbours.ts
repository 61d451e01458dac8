import type { Neighbours } from '../core/neighbours';
import { cooccurrence } from '../math/cooccurrence';

/**
 * The neighbour lists of a training set, with what training needs beyond the
 * shipped lists: the co-occurrence count behind each similarity and the item
 * counts, so that a training user's own contribution can be taken out.
 */
export interface TrainingNeighbours extends Neighbours {
  /** [items × m] training users with both the item and the neighbour. */
  readonly co: Float32Array;
  /** [items] training users with the item. */
  readonly counts: Float32Array;
  /** The shrinkage the similarities were computed with. */
  readonly shrink: number;
}

/**
 * Top-`m` neighbours of every item over the training users' positives, by
 * shrunk cosine `|U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)`: without the
 * shrinkage, pairs of items seen by one same user (cosine 1) crowd out the
 * well-supported neighbours in sparse catalogs.
 */
export function buildNeighbours(train: readonly Int32Array[], items: number, m: number, shrink: number): TrainingNeighbours {
  const index = cooccurrence(train, items);
  const counts = index.counts;
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  const co = new Float32Array(items * m);
  for (let j = 0; j < items; j++) {
    const { items: touched, both } = index.row(j);
    const scored: { i: number; c: number; s: number }[] = [];
    for (const i of touched) if (i !== j) scored.push({ i, c: both[i]!, s: both[i]! / (Math.sqrt(counts[i]! * counts[j]!) + shrink) });
    // ties broken by index, so the lists do not depend on the engine's sort
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    scored.slice(0, m).forEach((e, r) => {
      ids[j * m + r] = e.i;
      sims[j * m + r] = e.s;
      co[j * m + r] = e.c;
    });
  }
  return { m, ids, sims, co, counts: Float32Array.from(counts), shrink };
}

/**
 * A training user's neighbour row for their support, as if they had not been
 * among the training users: their own co-occurrences are taken out of every
 * similarity (leave-one-out), so training sees the row a new visitor would get.
 */
export function leaveOneOutRow(
  index: TrainingNeighbours,
  support: ArrayLike<number>,
  history: ReadonlySet<number>,
  out: Float32Array,
  weights?: ArrayLike<number>,
): Float32Array {
  out.fill(0);
  if (support.length === 0) return out;
  const { m, ids, co, counts } = index;
  for (let c = 0; c < support.length; c++) {
    // Each click's weight (recency weights sum to 1; by default a plain mean).
    const w = weights ? weights[c]! : 1 / support.length;
    const j = support[c]!;
    const cj = counts[j]! - (history.has(j) ? 1 : 0);
    if (cj <= 0) continue;
    for (let s = 0; s < m; s++) {
      const i = ids[j * m + s]!;
      if (i < 0) break;
      const mine = history.has(i) && history.has(j) ? 1 : 0;
      const ci = counts[i]! - (history.has(i) ? 1 : 0);
      const both = co[j * m + s]! - mine;
      if (ci > 0 && both > 0) out[i]! += (w * both) / (Math.sqrt(ci * cj) + index.shrink);
    }
  }
  return out;
}
