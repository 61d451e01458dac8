/**
 * Item-item structure shipped with a model (see Neighbours in types.ts). A
 * visitor's clicks turn it into one row over the catalog, the mean similarity
 * of each item to the clicked ones; the model weighs that row with a
 * per-visitor adapted weight. Pure and tensor-free: the same function serves
 * training and the worker.
 */
import { forEachInRow, type ItemLists } from './item-lists';
import type { AnyItemLists, SparseRow } from './types';

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
export function neighbourOffset(neighbours: AnyItemLists, clicks: ArrayLike<number>, items: number, weights?: ArrayLike<number>): SparseRow {
  const row = neighbourRow(neighbours, clicks, new Float32Array(items), weights);
  return { row, items: nonZeroOf(row, listedItems(neighbours, clicks, weights)) };
}

/** The items the clicked rows list (unsorted, repeats possible): where a neighbour row can be non-zero, a few per click. */
function listedItems(lists: AnyItemLists, clicks: ArrayLike<number>, weights?: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let c = 0; c < clicks.length; c++) {
    if (!('m' in lists)) {
      if (!weights || weights[c] !== 0) forEachInRow(lists, clicks[c]!, (item) => out.push(item));
      continue;
    }
    for (let s = 0; s < lists.m; s++) {
      const i = lists.ids[clicks[c]! * lists.m + s]!;
      if (i < 0) break;
      out.push(i);
    }
  }
  return out;
}

/** The non-zero entries of `row` among `candidates`, ascending and once each: nonZero(row) without reading the whole row. */
function nonZeroOf(row: Float32Array, candidates: number[]): Int32Array {
  const sorted = Int32Array.from(candidates).sort();
  let kept = 0;
  for (let j = 0; j < sorted.length; j++) {
    const i = sorted[j]!;
    if (row[i] !== 0 && (kept === 0 || sorted[kept - 1] !== i)) sorted[kept++] = i;
  }
  return sorted.slice(0, kept);
}

/** The indices of the non-zero entries of a row, ascending. */
export function nonZero(row: Float32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < row.length; i++) if (row[i] !== 0) out.push(i);
  return Int32Array.from(out);
}
