/** The WGSL click kernel's public types: what it is built from, what a click takes and returns. */

import type { Neighbours } from '../core/neighbours';
import type { UserParamName } from '../core/params';
import type { Transitions } from '../core/transitions';
import type { GpuItemTable } from './table';

/** The per-visitor parameters of one value per embedding coordinate ([dim]); the others are scalars ([1]). */
type VectorParamName = Extract<UserParamName, 'userInit' | 'logLrUser'>;

/**
 * The per-visitor parameters adaptation reads (core/params USER_PARAM_NAMES),
 * as numbers read once per model: a [dim] vector as a Float32Array, a [1]
 * scalar as a number. Mapped from the host's names, so a parameter added
 * there is a compile error here until the kernel side reads it too.
 */
export type AdaptConstants = { readonly [name in UserParamName]: name extends VectorParamName ? Float32Array : number };

/** A visitor's parameters as numbers: user vector [dim], popularity weight, item-item and sequential weights. */
export interface GpuState {
  readonly user: Float32Array;
  readonly pop: number;
  readonly knn?: number;
  readonly seq?: number;
}

/** The 1-based rank of `target` under the scores of the previous submission, by the protocol's rule (protocol/metrics rankOf). */
export interface RankCount {
  readonly target: number;
  /** Items not counted (e.g. clicked before), besides the target itself. */
  readonly exclude: Int32Array;
}

/** One click's request: feedback, adaptation settings and the ranking wanted. */
export interface ClickRequest {
  /** Clicked items, oldest first; repeats count again. */
  readonly clicks: Int32Array;
  /** Items shown and not clicked. */
  readonly negatives: Int32Array;
  /** A rating weight per click (default 1), multiplying its recency weight. */
  readonly clickWeights?: Float32Array;
  /** Gradient steps (0: rank the start). */
  readonly steps: number;
  /** Total weight of the impressions against the clicks' 1. */
  readonly negativeWeight: number;
  /** Items to rank, 1 … MAX_K. */
  readonly k: number;
  /** Items left out of the ranking (default: the clicked ones). */
  readonly exclude?: Int32Array;
  /** Start from these parameters instead of the clicks' prototype. */
  readonly start?: GpuState;
  /**
   * The sparse score offsets of `start`, when they are not to be built from
   * `clicks` (ranking a state whose clicks are unknown): entries sorted by item.
   */
  readonly rows?: OffsetRows;
  /** A step whose loss exceeds this multiple of max(start loss, 1) is rolled back (default 10, as adapt()). */
  readonly explodeFactor?: number;
  /**
   * Compute the support loss (default true). Ranking a state without steps
   * may leave it out: the sweep then skips the catalog softmax.
   */
  readonly losses?: boolean;
  /**
   * Also count the rank of an item under the scores the previous submission
   * on this kernel ranked (read before this one overwrites them).
   */
  readonly count?: RankCount;
}

/** Sparse score offsets sorted by item: item-item value n and sequential value t of each. */
export interface OffsetRows {
  readonly items: Int32Array;
  readonly n: Float32Array;
  readonly t: Float32Array;
}

/** The per-click input, ready to pack for the GPU (see input-layout.ts). */
export interface ClickInput {
  readonly n: number;
  readonly dim: number;
  readonly steps: number;
  readonly k: number;
  /** [dim] start user vector before the prototype's rows are added. */
  readonly base: Float32Array;
  /** [dim] per-coordinate step sizes (evidence × exp(logLrUser)). */
  readonly rateUser: Float32Array;
  readonly pop0: number;
  readonly knn0: number;
  readonly seq0: number;
  readonly ratePop: number;
  readonly rateKnn: number;
  readonly rateSeq: number;
  /** Weight of the slate term (0 without impressions). */
  readonly lambda: number;
  /** 1 with clicks of positive weight, 0 without. */
  readonly mass: number;
  readonly explodeFactor: number;
  /** Whether the losses are computed (always with steps > 0). */
  readonly losses: boolean;
  /** Distinct items whose context rows start the user vector, and their coefficients. */
  readonly proto: { readonly items: Int32Array; readonly coefs: Float32Array };
  /** Distinct slate items (clicked, then shown), the clicks' weight on each, and their item-item and sequential values. */
  readonly slate: { readonly items: Int32Array; readonly weights: Float32Array; readonly n: Float32Array; readonly t: Float32Array };
  /** Sparse score offsets sorted by item: item-item value n and sequential value t. */
  readonly entries: OffsetRows;
  /** Sorted distinct items left out of the ranking. */
  readonly exclude: Int32Array;
  /** The rank to count under the previous submission's scores: target and its sorted exclusions. */
  readonly count: RankCount | null;
}

/** The model side of a click: its constants, catalog size and dimension, and any neighbour and transition lists. */
export interface ClickModel {
  readonly constants: AdaptConstants;
  readonly n: number;
  readonly dim: number;
  readonly neighbours?: Neighbours;
  readonly transitions?: Transitions;
}


/** What a kernel is built from: the table, and for adaptation the model's constants, neighbour and transition lists. */
export interface GpuClickModel {
  readonly table: GpuItemTable;
  /** Needed to adapt or to start from clicks; a ranking-only kernel ranks explicit states. */
  readonly constants?: AdaptConstants;
  readonly neighbours?: Neighbours;
  /** Item → next-item lists: the sequential term (core/transitions). */
  readonly transitions?: Transitions;
}

export interface GpuClickOptions {
  /** Workgroups per sweep (default: 2 per CPU core on software adapters, up to 256 on GPUs). */
  readonly sweepGroups?: number;
  /** Workgroups of the ranking's first stage (default: see createClickKernel; 1 skips select-merge). */
  readonly selectGroups?: number;
}

/** What a click reads back besides its result. */
export interface GpuClickExtras {
  /**
   * GPU time of every dispatch (timestamp queries, resolved into the same
   * read-back), for the benchmark; each dispatch then gets its own pass.
   * Ignored where the device lacks 'timestamp-query'.
   */
  readonly timestamps?: boolean;
  /** Every item's score under the ranked state: a read-back the catalog's size (tools, never the worker's clicks). */
  readonly scores?: boolean;
}

/** One click's outcome, as the host click path's adapt() + rank(). */
export interface GpuClickResult {
  /** The parameters reached (the last kept step). */
  readonly state: GpuState;
  /** Support loss after each kept step (step 0: the start). */
  readonly steps: readonly { readonly step: number; readonly loss: number }[];
  /** True when a step was undone (non-finite or exploded loss): state is the last good one. */
  readonly rolledBack: boolean;
  /** The undone step's loss (non-finite or exploded), when one was undone. */
  readonly rejectedLoss: number | null;
  /** The state of every step the GPU judged: [0] the start, then each step's (the rolled-back one last). */
  readonly trace: readonly GpuState[];
  /** The counted rank (ClickRequest.count), else null. */
  readonly rank: number | null;
  /** The sparse score offsets the click used (built from the clicks, or ClickRequest.rows). */
  readonly rows: OffsetRows;
  /** Top-k catalog indices, best first (ties: lower index), and their scores. */
  readonly indices: Int32Array;
  readonly scores: Float32Array;
  /** Every item's score, with GpuClickExtras.scores only. */
  readonly allScores?: Float32Array;
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
  /**
   * Runs a click; rejects with GpuDeviceLostError when the device is (or gets) lost.
   * Encodes and submits before its first await, so submissions keep the order of the calls.
   */
  click(request: ClickRequest, extras?: GpuClickExtras): Promise<GpuClickResult>;
  /** Totals since the kernel was built: submissions (clicks and rankings), their dispatches and read-backs. */
  counters(): { readonly clicks: number; readonly dispatches: number; readonly readbacks: number };
  /** Frees the table and the workspace (GPU buffers). */
  dispose(): void;
}
