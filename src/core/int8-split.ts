/**
 * One catalog sweep (int8-sweep.ts) shared among threads: the table's rows cut
 * into contiguous parts, each swept by its own thread into its own running
 * max, softmax sums and weighted sum, then the parts merged as the online
 * softmax merges blocks — each part's sums rescaled by exp(m_part − m) to the
 * overall max m. The scores are each row's own (bit for bit those of one
 * sweep); the sums differ from one sweep's only in the order of their terms.
 * Pure: the threads themselves are the caller's (SweepHelpers).
 */

import type { SparseOffsets } from './int8-types';

/** Rows [start, start + count) of the table: a multiple of 4 rows (what the sweep function takes). */
export interface RowRange {
  readonly start: number;
  readonly count: number;
}

/** The first `n4` rows (a multiple of 4) cut into `parts` ranges of multiples of 4, as equal as that allows. */
export function rowRanges(n4: number, parts: number): RowRange[] {
  const quads = n4 / 4;
  const ranges: RowRange[] = [];
  for (let p = 0, start = 0; p < parts; p++) {
    const count = 4 * (Math.floor(quads / parts) + (p < quads % parts ? 1 : 0));
    ranges.push({ start, count });
    start += count;
  }
  return ranges;
}

/** Where `items` (ascending) first reaches each range's start: offsets [cuts[p], cuts[p + 1]) fall in range p; the last cut is where items reach `end`. */
export function offsetCuts(items: Int32Array, ranges: readonly RowRange[], end: number): number[] {
  const cuts: number[] = [];
  let k = 0;
  for (const { start } of ranges) {
    while (k < items.length && items[k]! < start) k++;
    cuts.push(k);
  }
  while (k < items.length && items[k]! < end) k++;
  cuts.push(k);
  return cuts;
}

/** Range p's offsets, its items made relative to its start (the sweep counts rows from its first). */
export function rangeOffsets(offsets: SparseOffsets, cuts: readonly number[], p: number, start: number): SparseOffsets {
  const items = offsets.items.subarray(cuts[p]!, cuts[p + 1]!).map((i) => i - start);
  return { items, values: offsets.values.subarray(cuts[p]!, cuts[p + 1]!) };
}

/** One part's result: its max, Σe and Σe·bias against that max, and Σe·V (f32 lanes) when kept. */
export interface PartSums {
  readonly max: number;
  readonly z: number;
  readonly sumBias: number;
  readonly weighted: Float32Array | null;
}

/**
 * The parts' sums against their common max: z = Σ_p z_p · exp(m_p − m), and
 * alike for Σe·bias and Σe·V (into `out`, when the parts kept it). An empty
 * part (max −∞) adds nothing.
 */
export function mergeParts(parts: readonly PartSums[], out: Float32Array | null): { max: number; z: number; sumBias: number } {
  const max = parts.reduce((m, part) => Math.max(m, part.max), -Infinity);
  let z = 0;
  let sumBias = 0;
  out?.fill(0);
  for (const part of parts) {
    if (part.max === -Infinity) continue;
    const r = Math.exp(part.max - max);
    z += part.z * r;
    sumBias += part.sumBias * r;
    if (out && part.weighted) for (let d = 0; d < out.length; d++) out[d]! += part.weighted[d]! * r;
  }
  return { max, z, sumBias };
}
