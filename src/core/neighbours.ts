/**
 * Item-item structure shipped with a model (see Neighbours in types.ts). A
 * visitor's clicks turn it into one row over the catalog, the mean similarity
 * of each item to the clicked ones; the model weighs that row with a
 * per-visitor adapted weight. Pure and tensor-free: the same function serves
 * training and the worker.
 */
import { forEachInRow, type ItemLists } from './item-lists';
import type { AnyItemLists, Neighbours, SparseRow } from './types';

export type { Neighbours } from './types';

/**
 * Mean similarity of every item to the clicked ones, written into `out`
 * (length `items`, zeroed first), each click weighted by `weights` (summing
 * to 1, e.g. recency weights; default a plain mean). Repeated clicks count again.
 */
export function neighbourRow(lists: AnyItemLists, clicks: ArrayLike<number>, out: Float32Array, weights?: ArrayLike<number>): Float32Array {
  out.fill(0);
  if (clicks.length === 0) return out;
  if (!('m' in lists)) return encodedRow(lists, clicks, out, weights);
  const { m, ids, sims } = lists;
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

/** neighbourRow over format v2's encoded lists: only the clicked rows are decoded, and a click of weight 0 is not read at all. */
function encodedRow(lists: ItemLists, clicks: ArrayLike<number>, out: Float32Array, weights?: ArrayLike<number>): Float32Array {
  for (let c = 0; c < clicks.length; c++) {
    const w = weights ? weights[c]! : 1 / clicks.length;
    if (w === 0) continue;
    forEachInRow(lists, clicks[c]!, (item, sim) => (out[item]! += w * sim));
  }
  return out;
}

/** The clicks' neighbour row over `items` catalog items, with its non-zero entries (ascending). */
export function neighbourOffset(neighbours: Neighbours, clicks: ArrayLike<number>, items: number): SparseRow {
  const row = neighbourRow(neighbours, clicks, new Float32Array(items));
  return { row, items: nonZero(row) };
}

/** The indices of the non-zero entries of a row, ascending. */
export function nonZero(row: Float32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < row.length; i++) if (row[i] !== 0) out.push(i);
  return Int32Array.from(out);
}
