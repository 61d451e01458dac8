/**
 * The click path (score, softmax, gradient, top-k) as plain loops over
 * Float32Arrays, for backends whose tensors live in host memory (cpu, wasm).
 * The same math as model.ts/inner.ts, but one read of the item matrix per
 * step instead of ~30 tfjs operations: the softmax is accumulated online
 * (running max, rescaled sums) in the same sweep that computes the scores, so
 * `Σ softmax_i · V_i` is ready when the sweep ends. The click and slate terms
 * touch only their own items. Pure: no tfjs, no globals.
 */

import type { Int8Kernel, SparseOffsets } from './int8-kernel';
import { addRow, type Int8Rows } from './int8-rows';
import { rowValue } from './neighbours';
import type { SimdTable, TableSweeps } from './simd-kernel';
import type { SparseRow } from './types';

/** Host copies of a float item table: vectors [n × dim] row-major, bias [n]; in a SIMD kernel where one runs. */
export interface FloatHostItems {
  readonly kind: 'float32';
  readonly n: number;
  readonly dim: number;
  readonly vectors: Float32Array;
  readonly bias: Float32Array;
  readonly simd: SimdTable | null;
}

/**
 * An int8 item table (format v2): the rows as codes with one scale each, and
 * the kernel that sweeps them (WebAssembly SIMD, or plain loops where SIMD is
 * refused: always there). Its memory holds the only copy of the table.
 */
export interface Int8HostItems {
  readonly kind: 'int8';
  readonly n: number;
  readonly dim: number;
  readonly rows: Int8Rows;
  readonly bias: Float32Array;
  readonly simd: Int8Kernel;
}

/** An item table the host loops score: float32 or int8 rows. */
export type HostItems = FloatHostItems | Int8HostItems;

/** `out += weight · V_item` (a clicked or shown item's share of a gradient). */
function addVector(items: HostItems, item: number, weight: number, out: Float64Array): void {
  if (items.kind === 'int8') return addRow(items.rows, item, weight, out);
  const { dim, vectors } = items;
  for (let d = 0; d < dim; d++) out[d]! += weight * vectors[item * dim + d]!;
}

/** One sweep's results: every score, the log-partition, and the softmax-weighted item sums. */
export interface Sweep {
  readonly scores: Float32Array;
  readonly logZ: number;
  /** Σ softmax_i · V_i ([dim]) and Σ softmax_i · bias_i; only when asked for. */
  readonly meanVector: Float64Array | null;
  readonly meanBias: number;
  /** Σ softmax_i · row_i of each offset term (empty without offsets; only when asked for). */
  readonly meanOffsets: Float64Array;
  /** When `scores` is a kernel's reused buffer: which sweep of it this is (see `isCurrent`); absent for a buffer of its own. */
  readonly lease?: Lease;
}

/**
 * A SIMD kernel's score buffer is written by every sweep of its table, so a
 * Sweep's scores hold only until the next one: a lease records the kernel and
 * the count of its sweeps at the time. Whoever reads scores of a Sweep that
 * may have been overtaken (a kept state's, read by a later ranking; a step's,
 * when a ranking ran between two steps) checks `isCurrent` and sweeps again
 * if not, instead of every sweep copying its 4 MB (1M items) just in case.
 */
export interface Lease {
  readonly kernel: object;
  readonly sweep: number;
}

const sweepsOf = new WeakMap<object, number>();

/** Records a new sweep into `kernel`'s score buffer, overtaking every earlier lease on it. */
function claim(kernel: object): Lease {
  const sweep = (sweepsOf.get(kernel) ?? 0) + 1;
  sweepsOf.set(kernel, sweep);
  return { kernel, sweep };
}

/** True while `swept.scores` still holds this sweep's scores (always, for a buffer of its own). */
export function isCurrent(swept: Sweep): boolean {
  return !swept.lease || sweepsOf.get(swept.lease.kernel) === swept.lease.sweep;
}

/**
 * One sparse term `weight · row_i` added to the scores: `row` the item-item or
 * the sequential row as its non-zero entries (a few clicks × the lists kept),
 * so adding it costs nothing next to the sweep.
 */
export interface OffsetTerm {
  readonly weight: number;
  readonly row: SparseRow;
}

/** The sparse terms added to every score, in order (the item-item term, then the sequential one). */
export interface ScoreOffset {
  readonly terms: readonly OffsetTerm[];
}

const NO_MEANS = new Float64Array(0);

/**
 * Scores `V·user + pop·bias (+ offset)` of every item, and optionally the
 * softmax-weighted means (one pass without an offset).
 */
export function sweep(items: HostItems, user: Float32Array, pop: number, withMeans: boolean, offset?: ScoreOffset | null): Sweep {
  if (items.kind === 'int8') return int8Sweep(items.simd, user, pop, withMeans, offset ?? null);
  if (items.simd) return simdSweep(items.simd, user, pop, withMeans, offset ?? null);
  if (offset) return offsetSweep(items, scoresOnly(items, user, pop, offset), withMeans, offset);
  const { n, dim, vectors, bias } = items;
  const scores = new Float32Array(n);
  const acc = new Float64Array(dim);
  let max = -Infinity;
  let z = 0;
  let accBias = 0;
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    let s = pop * bias[i]!;
    for (let d = 0; d < dim; d++) s += vectors[row + d]! * user[d]!;
    scores[i] = s;
    if (!withMeans) {
      if (s > max) max = s;
      continue;
    }
    if (s > max) {
      // A new running max: rescale what was summed against the old one.
      const scale = Math.exp(max - s);
      z *= scale;
      accBias *= scale;
      for (let d = 0; d < dim; d++) acc[d]! *= scale;
      max = s;
    }
    const e = Math.exp(s - max);
    z += e;
    accBias += e * bias[i]!;
    for (let d = 0; d < dim; d++) acc[d]! += e * vectors[row + d]!;
  }
  if (!withMeans) {
    for (let i = 0; i < n; i++) z += Math.exp(scores[i]! - max);
    return { scores, logZ: max + Math.log(z), meanVector: null, meanBias: 0, meanOffsets: NO_MEANS };
  }
  for (let d = 0; d < dim; d++) acc[d]! /= z;
  return { scores, logZ: max + Math.log(z), meanVector: acc, meanBias: accBias / z, meanOffsets: NO_MEANS };
}

/** sweep()'s softmax part on plain loops over finished scores (two passes: max, then sums). */
function offsetSweep(items: FloatHostItems, scores: Float32Array, withMeans: boolean, offset: ScoreOffset): Sweep {
  const { n, dim, vectors, bias } = items;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (scores[i]! > max) max = scores[i]!;
  let z = 0;
  let accBias = 0;
  const acc = new Float64Array(dim);
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    const e = Math.exp(scores[i]! - max);
    z += e;
    if (!withMeans) continue;
    accBias += e * bias[i]!;
    for (let d = 0; d < dim; d++) acc[d]! += e * vectors[row + d]!;
  }
  const meanOffsets = withMeans ? offsetMeans(scores, max, z, offset) : NO_MEANS;
  if (!withMeans) return { scores, logZ: max + Math.log(z), meanVector: null, meanBias: 0, meanOffsets };
  for (let d = 0; d < dim; d++) acc[d]! /= z;
  return { scores, logZ: max + Math.log(z), meanVector: acc, meanBias: accBias / z, meanOffsets };
}

/** Σ softmax_i · row_i of every term, over its non-zero entries. */
export function offsetMeans(scores: Float32Array, max: number, z: number, offset: ScoreOffset): Float64Array {
  return Float64Array.from(offset.terms, (term) => {
    let sum = 0;
    const { items, values } = term.row;
    for (let j = 0; j < items.length; j++) sum += Math.exp(scores[items[j]!]! - max) * values[j]!;
    return sum / z;
  });
}

/** Adds the offset terms to finished scores in place, one term after the other; returns the new maximum. */
export function addOffset(scores: Float32Array, max: number, offset: ScoreOffset): number {
  for (const term of offset.terms) {
    const { items, values } = term.row;
    for (let j = 0; j < items.length; j++) {
      const i = items[j]!;
      scores[i] = scores[i]! + term.weight * values[j]!;
      if (scores[i]! > max) max = scores[i]!;
    }
  }
  return max;
}

/**
 * Scores alone (for ranking: no softmax). With the SIMD kernel the result is
 * its reused buffer, valid until the next sweep of this table (it overtakes
 * every lease on the buffer).
 */
export function scoresOnly(items: HostItems, user: Float32Array, pop: number, offset?: ScoreOffset | null): Float32Array {
  if (items.kind === 'int8' || items.simd) {
    claim(items.simd!);
    const { scores, max } = items.simd!.scores(user, pop);
    if (offset) addOffset(scores, max, offset);
    return scores;
  }
  const { n, dim, vectors, bias } = items;
  const scores = new Float32Array(n);
  for (let i = 0, row = 0; i < n; i++, row += dim) {
    let s = pop * bias[i]!;
    for (let d = 0; d < dim; d++) s += vectors[row + d]! * user[d]!;
    scores[i] = s;
  }
  if (offset) addOffset(scores, -Infinity, offset);
  return scores;
}

/** sweep() in a table's kernel (float32 SIMD, int8 SIMD or int8 loops): scores and their max, then the softmax weights and sums, then `Vᵀ·e`. */
function simdSweep(simd: TableSweeps, user: Float32Array, pop: number, withMeans: boolean, offset: ScoreOffset | null): Sweep {
  const lease = claim(simd);
  const swept = simd.scores(user, pop);
  const scores = swept.scores;
  // The offset goes into the kernel's own score buffer, which its softmax reads.
  const max = offset ? addOffset(scores, swept.max, offset) : swept.max;
  const { z, sumBias } = simd.softmax(max);
  const meanVector = withMeans ? Float64Array.from(simd.weightedSum(), (v) => v / z) : null;
  const meanOffsets = withMeans && offset ? offsetMeans(scores, max, z, offset) : NO_MEANS;
  return { scores, logZ: max + Math.log(z), meanVector, meanBias: sumBias / z, meanOffsets, lease };
}

/** sweep() on an int8 table: the kernel's fused pass (each row read once, the softmax accumulated online). */
function int8Sweep(kernel: Int8Kernel, user: Float32Array, pop: number, withMeans: boolean, offset: ScoreOffset | null): Sweep {
  const lease = claim(kernel);
  const swept = kernel.sweep(user, pop, offset ? sparseOffsets(offset) : null, withMeans);
  const { scores, max, z } = swept;
  const meanVector = swept.weighted ? Float64Array.from(swept.weighted, (v) => v / z) : null;
  const meanOffsets = withMeans && offset ? offsetMeans(scores, max, z, offset) : NO_MEANS;
  return { scores, logZ: max + Math.log(z), meanVector, meanBias: swept.sumBias / z, meanOffsets, lease };
}

/** The offset terms as one sparse addition to the scores: each item's Σ weight · row_i, items ascending. */
export function sparseOffsets(offset: ScoreOffset): SparseOffsets {
  const sums = new Map<number, number>();
  for (const { weight, row } of offset.terms) row.items.forEach((i, j) => sums.set(i, (sums.get(i) ?? 0) + weight * row.values[j]!));
  const items = Int32Array.from(sums.keys()).sort();
  return { items, values: Float32Array.from(items, (i) => sums.get(i)!) };
}

/** Clicks and impressions as sparse weights: the positives sum to 1, the slate is clicks ∪ shown. */
export interface HostFeedback {
  /** Clicked items (repeats allowed) and their normalised weights. */
  readonly clicks: Int32Array;
  readonly weights: Float64Array;
  /** Distinct items on the slate (clicked or shown) and the clicks' weight on each. */
  readonly slate: Int32Array;
  readonly slateWeights: Float64Array;
  /** Total weight of the slate term (0 without impressions). */
  readonly lambda: number;
  /** Σ weights: 1 with clicks, 0 without. */
  readonly mass: number;
}

/** Sparse feedback, as feedbackRows() in feedback.ts builds it densely. */
export function hostFeedback(clicks: Int32Array, negatives: Int32Array, negativeWeight: number, clickWeights?: Float32Array): HostFeedback {
  const raw = Float64Array.from(clicks, (_, i) => clickWeights?.[i] ?? 1);
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => (total > 0 ? w / total : 0));
  const onSlate = new Map<number, number>();
  clicks.forEach((item, i) => onSlate.set(item, (onSlate.get(item) ?? 0) + weights[i]!));
  const shown = Array.from(negatives).filter((item) => !onSlate.has(item));
  const lambda = shown.length > 0 && negativeWeight > 0 ? negativeWeight : 0;
  for (const item of shown) onSlate.set(item, 0);
  return {
    clicks,
    weights,
    slate: Int32Array.from(onSlate.keys()),
    slateWeights: Float64Array.from(onSlate.values()),
    lambda,
    mass: total > 0 ? 1 : 0,
  };
}

/** Support loss of the scores of one sweep: catalog cross-entropy plus λ × slate cross-entropy. */
export function hostLoss(swept: Sweep, feedback: HostFeedback): number {
  const { scores, logZ } = swept;
  let loss = 0;
  feedback.clicks.forEach((item, i) => (loss -= feedback.weights[i]! * (scores[item]! - logZ)));
  if (feedback.lambda === 0) return loss;
  const slateZ = logSumExp(feedback.slate, scores);
  feedback.clicks.forEach((item, i) => (loss -= feedback.lambda * feedback.weights[i]! * (scores[item]! - slateZ)));
  return loss;
}

/**
 * One gradient step from the sweep of the current parameters (closed form, as
 * feedbackScoreGrad + userGrad): returns the new user vector, popularity
 * weight and offset weights (one per term of `offset`, `rates.offsets` alike).
 */
export function hostStep(
  items: HostItems,
  user: Float32Array,
  pop: number,
  swept: Sweep,
  feedback: HostFeedback,
  rates: { readonly user: Float32Array; readonly pop: number; readonly offsets: readonly number[] },
  offset?: ScoreOffset | null,
): { user: Float32Array; pop: number; offsets: number[] } {
  const { bias } = items;
  const terms = offset?.terms ?? [];
  const gradUser = Float64Array.from(swept.meanVector!, (v) => v * feedback.mass);
  let gradPop = swept.meanBias * feedback.mass;
  const gradOffsets = terms.map((_, k) => swept.meanOffsets[k]! * feedback.mass);
  const add = (item: number, g: number): void => {
    addVector(items, item, g, gradUser);
    gradPop += g * bias[item]!;
    terms.forEach((term, k) => (gradOffsets[k]! += g * rowValue(term.row, item)));
  };
  feedback.clicks.forEach((item, i) => add(item, -feedback.weights[i]!));
  if (feedback.lambda > 0) {
    const slateZ = logSumExp(feedback.slate, swept.scores);
    feedback.slate.forEach((item, j) => {
      const q = Math.exp(swept.scores[item]! - slateZ);
      add(item, feedback.lambda * (q * feedback.mass - feedback.slateWeights[j]!));
    });
  }
  const next = Float32Array.from(user, (u, d) => u - rates.user[d]! * gradUser[d]!);
  const offsets = terms.map((term, k) => Math.fround(term.weight - rates.offsets[k]! * gradOffsets[k]!));
  return { user: next, pop: Math.fround(pop - rates.pop * gradPop), offsets };
}

/** log Σ exp(scores_i) over `indices`. */
export function logSumExp(indices: Int32Array, scores: Float32Array): number {
  let max = -Infinity;
  for (const i of indices) max = Math.max(max, scores[i]!);
  let z = 0;
  for (const i of indices) z += Math.exp(scores[i]! - max);
  return max + Math.log(z);
}
