/**
 * What every int8 sweep kernel offers (int8-kernel.ts's SIMD one,
 * int8-loops.ts's plain loops) and the sparse score additions they take.
 */

import type { Int8Rows } from './int8-rows';
import type { TableSweeps } from './simd-kernel';

/** Which sweep implementation runs: SIMD with an int16 or a float user vector, or plain loops. */
export type Int8KernelKind = 'simd-i16' | 'simd-f32' | 'loops';

/** Sparse additions to the scores (the item-item and sequential terms): item indices ascending and unique, the value each adds. */
export interface SparseOffsets {
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** One fused sweep: the scores (a buffer the next call reuses) and the softmax sums against their max. */
export interface FusedSweep {
  readonly scores: Float32Array;
  readonly max: number;
  /** Σ exp(s_i − max). */
  readonly z: number;
  /** Σ exp(s_i − max) · bias_i and Σ exp(s_i − max) · V_i ([dim], reused buffer): with `means` only (else 0 and null). */
  readonly sumBias: number;
  readonly weighted: Float32Array | null;
}

/** The sweeps on `scale_i · codes_i` for V: `V·user` is `scale_i · (codes_i · user)`. */
export interface Int8Kernel extends TableSweeps {
  readonly kind: Int8KernelKind;
  /** Scores `V·user + pop·bias + offsets` and their softmax sums (with `means`, Σe·bias and Σe·V too) in one pass over the table. */
  sweep(user: Float32Array, pop: number, offsets: SparseOffsets | null, means: boolean): FusedSweep;
  /** The table the sweeps read (inside the SIMD module's memory when it runs). */
  readonly rows: Int8Rows;
  readonly bias: Float32Array;
  /** Threads a sweep runs on now: 1, or 1 + the helper threads ready. */
  readonly threads: number;
  /** Ends the helper threads, if any; the kernel goes on sweeping on one thread. */
  dispose(): void;
}
