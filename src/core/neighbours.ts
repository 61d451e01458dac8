/**
 * Item-item structure shipped with a model: for every item, its `m` most
 * similar items (cosine over training users' positives). A visitor's clicks
 * turn it into one row over the catalog, the mean similarity of each item to
 * the clicked ones; the model weighs that row with a per-visitor adapted weight.
 * Pure and tensor-free: the same function serves training and the worker.
 */
export interface Neighbours {
  /** Neighbours kept per item. */
  readonly m: number;
  /** [items × m] neighbour indices, -1 where an item has fewer than m. */
  readonly ids: Int32Array;
  /** [items × m] cosine similarities, 0 where `ids` is -1. */
  readonly sims: Float32Array;
}

/**
 * Mean similarity of every item to the clicked ones, written into `out`
 * (length `items`, zeroed first), each click weighted by `weights` (summing
 * to 1, e.g. recency weights; default a plain mean). Repeated clicks count again.
 */
export function neighbourRow(neighbours: Neighbours, clicks: ArrayLike<number>, out: Float32Array, weights?: ArrayLike<number>): Float32Array {
  out.fill(0);
  if (clicks.length === 0) return out;
  const { m, ids, sims } = neighbours;
  for (let c = 0; c < clicks.length; c++) {
    const w = weights ? weights[c]! : 1 / clicks.length;
    const base = clicks[c]! * m;
    for (let s = 0; s < m; s++) {
      const i = ids[base + s]!;
      if (i < 0) break;
      out[i]! += w * sims[base + s]!;
    }
  }
  return out;
}
