/** The WGSL click kernel's public types: what it is built from, what a click returns. */

import type { Neighbours } from '../core/neighbours';
import type { AdaptConstants, ClickRequest, GpuState } from './click-input';
import type { GpuItemTable } from './table';

/** What a kernel is built from: the table, and for adaptation the model's constants and neighbour lists. */
export interface GpuClickModel {
  readonly table: GpuItemTable;
  /** Needed to adapt or to start from clicks; a ranking-only kernel ranks explicit states. */
  readonly constants?: AdaptConstants;
  readonly neighbours?: Neighbours;
}

export interface GpuClickOptions {
  /** Workgroups per sweep (default: 2 per CPU core on software adapters, up to 256 on GPUs). */
  readonly sweepGroups?: number;
  /** Workgroups of the ranking's first stage (default: see createClickKernel; 1 skips select-merge). */
  readonly selectGroups?: number;
}

/** Per-click measurement options. */
export interface GpuClickTiming {
  /**
   * GPU time of every dispatch (timestamp queries, resolved into the same
   * read-back), for the benchmark; each dispatch then gets its own pass.
   * Ignored where the device lacks 'timestamp-query'.
   */
  readonly timestamps?: boolean;
}

/** One click's outcome, as the host click path's adapt() + rank(). */
export interface GpuClickResult {
  /** The parameters reached (the last kept step). */
  readonly state: GpuState;
  /** Support loss after each kept step (step 0: the start). */
  readonly steps: readonly { readonly step: number; readonly loss: number }[];
  /** True when a step was undone (non-finite or exploded loss): state is the last good one. */
  readonly rolledBack: boolean;
  /** Top-k catalog indices, best first (ties: lower index), and their scores. */
  readonly indices: Int32Array;
  readonly scores: Float32Array;
  /** Compute dispatches and read-backs of this click. */
  readonly dispatches: number;
  readonly readbacks: number;
  /** Wall time from encoding to the read-back, ms. */
  readonly ms: number;
  /** GPU time of each dispatch (sweeps, select-local, select-merge), ms; with the timestamps option only. */
  readonly gpuMs?: readonly number[];
}

export interface GpuClickKernel {
  readonly n: number;
  readonly dim: number;
  readonly format: GpuItemTable['format'];
  /** Sweep workgroups and select-local workgroups per click. */
  readonly groups: { readonly sweep: number; readonly select: number };
  /** Runs a click; rejects with GpuDeviceLostError when the device is (or gets) lost. */
  click(request: ClickRequest, timing?: GpuClickTiming): Promise<GpuClickResult>;
  /** Totals since the kernel was built. */
  counters(): { readonly clicks: number; readonly dispatches: number; readonly readbacks: number };
  /** Frees the table and the workspace (GPU buffers). */
  dispose(): void;
}
