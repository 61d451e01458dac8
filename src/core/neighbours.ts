/**
 * Item-item structure shipped with a model (see Neighbours in types.ts). A
 * visitor's clicks turn it into one row over the catalog, the mean similarity
 * of each item to the clicked ones; the model weighs that row with a
 * per-visitor adapted weight. Pure and tensor-free: the same function serves
 * training and the worker.
 */
import { forEachInRow } from './item-lists';
import type { AnyItemLists, SparseRow } from './types';

export type { Neighbours } from './types';

/**
 * Mean similarity of every item to the clicked ones, written into `out`
 * (length `items`, zeroed first), each click weighted by `weights` (summing
 * to 1, e.g. recency weights; default a plain mean). Repeated clicks count again.
 */
export function neighbourRow(lists: AnyItemLists, clicks: ArrayLike<number>, out: Float32Array, weights?: ArrayLike<number>): Float32Array {
  out.fill(0);
  forEachClickedEntry(lists, clicks, weights, (item, value) => (out[item]! += value));
  return out;
}

/**
 * The clicks' neighbour row as its non-zero entries: neighbourRow's values bit
 * for bit (the same additions in the same order, rounded to float32 after
 * every one as its Float32Array does), but nothing is as long as the catalog,
 * so a click costs O(its lists' entries).
 */
export function neighbourOffset(lists: AnyItemLists, clicks: ArrayLike<number>, weights?: ArrayLike<number>): SparseRow {
  const sums = new Map<number, number>();
  forEachClickedEntry(lists, clicks, weights, (item, value) => void sums.set(item, Math.fround((sums.get(item) ?? 0) + value)));
  const items = Int32Array.from([...sums.keys()].filter((i) => sums.get(i) !== 0)).sort();
  return { items, values: Float32Array.from(items, (i) => sums.get(i)!) };
}

/**
 * Every entry of every clicked list, in click order, as `visit(item, w_c · sim)`,
 * each click weighted by `weights` (default a plain mean): the one walk both
 * row forms add up. Only the clicked lists are read (format v2's encoded ones
 * decoded row by row), and a click of weight 0, which adds 0, not at all.
 */
export function forEachClickedEntry(lists: AnyItemLists, clicks: ArrayLike<number>, weights: ArrayLike<number> | undefined, visit: (item: number, value: number) => void): void {
  for (let c = 0; c < clicks.length; c++) {
    const w = weights ? weights[c]! : 1 / clicks.length;
    if (w === 0) continue;
    if (!('m' in lists)) {
      forEachInRow(lists, clicks[c]!, (item, sim) => visit(item, w * sim));
      continue;
    }
    const base = clicks[c]! * lists.m;
    for (let s = 0; s < lists.m; s++) {
      const i = lists.ids[base + s]!;
      if (i < 0) break;
      visit(i, w * lists.sims[base + s]!);
    }
  }
}

/** The value of `row` at `item` (0 off its entries): a binary search of its items. */
export function rowValue(row: SparseRow, item: number): number {
  const { items } = row;
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]! < item) lo = mid + 1;
    else hi = mid;
  }
  return items[lo] === item ? row.values[lo]! : 0;
}

/** `row` over all `n` catalog items: what tfjs operations read (the tfjs kernel only; host and GPU kernels read the entries). */
export function denseRow(row: SparseRow, n: number): Float32Array {
  const out = new Float32Array(n);
  row.items.forEach((i, j) => (out[i] = row.values[j]!));
  return out;
}
