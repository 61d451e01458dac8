// The data the model's math passes around, and the contract of an adaptation
// kernel. Types only, so every module of core/ can import them and nothing cycles.
import type * as tf from '@tensorflow/tfjs-core';
import type { Int8Kernel } from './int8-kernel';
import type { Int8Rows } from './int8-rows';
import type { ItemLists } from './item-lists';
import type { AdaptParams } from './params';

/**
 * Sparse content rows as tensors (core/features contentInputs): item i's row
 * is feature 0 at weight 1 plus its tags at weight `scale[i]` each. Both
 * directions of the product are one SparseSegmentSum over these indices.
 */
export interface ContentInputs {
  readonly items: number;
  /** Features, the constant one included. */
  readonly count: number;
  /** Tag entries (all rows' entries but the constant). */
  readonly tags: number;
  /** [tags] feature of each tag entry, row by row (item ascending). */
  readonly tagIds: tf.Tensor1D;
  /** [tags] item of each tag entry, ascending. */
  readonly tagRows: tf.Tensor1D;
  /** [tags] the same entries ordered by feature: their items … */
  readonly tagItems: tf.Tensor1D;
  /** … and their features, ascending. */
  readonly tagOf: tf.Tensor1D;
  /** [items, 1] weight of each of the item's tags (1/sqrt(#tags); 0 without tags). */
  readonly scale: tf.Tensor2D;
}

/** The fixed, non-learned inputs of the item side. */
export interface ItemInputs {
  /** Content features, sparse: feature 0 constant, then tags. */
  readonly features: ContentInputs;
  /** [items, 1]: 1 where the item had training interactions, else 0. */
  readonly warm: tf.Tensor2D;
  /** [items, 1]: log(1 + training users with the item as a positive); 0 for cold items. */
  readonly logPop: tf.Tensor2D;
}

/** Item vectors [items, dim], popularity prior [items] and context vectors [items, dim]. */
export type ItemTable = {
  readonly vectors: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  /**
   * What a click on the item says about the clicker (FISM-style: separate from
   * the vector it is scored with, so item-item affinity need not be symmetric).
   */
  readonly context: tf.Tensor2D;
  /**
   * [items] a constant added to every user's score of the item, only on a
   * sampled sub-catalog (core/sampled candidateTable): −log r_i, so that its
   * softmax is the Horvitz–Thompson estimate of the catalog's. Absent: 0.
   */
  readonly offset?: tf.Tensor1D;
  /**
   * [dim, items] `vectors` transposed, when the table is scored many times
   * outside a gradient tape (validation): tfjs-wasm's matMul is ~10× slower
   * with a transpose flag than on a transposed copy; the scores are the same
   * bits up to dim 32 and agree to float rounding above
   * (tests/unit/core/score-transposed.test.ts). Absent: scored from `vectors`.
   */
  readonly vectorsT?: tf.Tensor2D;
};

/**
 * An item table kept quantized in host memory, as format v2 ships it: V and C
 * as int8 rows with one scale each, the prior as floats. `kernel` holds the
 * only copy of V and the prior (in its WebAssembly memory where SIMD runs) and
 * does the catalog sweeps; only the host kernel scores such a table.
 */
export interface QuantizedItemTable {
  readonly format: 'int8';
  /** Item vectors V: `kernel.rows`. */
  readonly vectors: Int8Rows;
  readonly context: Int8Rows;
  /** Popularity prior: `kernel.bias`. */
  readonly bias: Float32Array;
  readonly kernel: Int8Kernel;
}

/** Any item table a visitor's model may have: float tensors (any kernel) or quantized rows (the host kernel). */
export type AnyItemTable = ItemTable | QuantizedItemTable;

/** The adapted, per-user parameters, batched: B users. */
export type UserBatch = {
  /** [B, dim] user vectors. */
  readonly user: tf.Tensor2D;
  /** [B, 1] weight of the popularity prior. */
  readonly pop: tf.Tensor2D;
  /** [B, 1] weight of the item-item term, when the model has neighbours. */
  readonly knn?: tf.Tensor2D;
  /**
   * [B, items] the item-item row the weight multiplies, fixed by the clicks
   * (a clone of the support's row: like every field, owned by the batch).
   */
  readonly neighbours?: tf.Tensor2D;
  /** [B, 1] weight of the sequential term, when the model has transition lists. */
  readonly seq?: tf.Tensor2D;
  /** [B, items] the transition row it multiplies (what tends to follow the last clicks), owned like `neighbours`. */
  readonly transitions?: tf.Tensor2D;
};

/**
 * Feedback as dense per-user weights over the catalog ([B, items] each):
 * positives (clicks) with rows summing to 1, negatives (shown, not clicked)
 * with rows summing to the negative weight. Without impressions, leave
 * `negatives` out: the slate term then costs nothing (training data has none).
 */
export type FeedbackBatch = {
  readonly positives: tf.Tensor2D;
  readonly negatives?: tf.Tensor2D;
  /**
   * 1 for items that are not candidates (e.g. the support when judging the
   * query: the protocol never ranks them), so they do not count as negatives.
   */
  readonly excluded?: tf.Tensor2D;
  /** [B, 1] clicks behind each positives row (before normalisation): the prototype's evidence. */
  readonly count?: tf.Tensor2D;
  /** [B, items] mean item-item similarity of each item to the clicked ones (see core/neighbours). */
  readonly neighbours?: tf.Tensor2D;
  /** [B, items] what follows the last clicks, recency-weighted (see core/transitions). */
  readonly transitions?: tf.Tensor2D;
  /**
   * Training only, to learn the recency decay: the decay the rows were built at
   * ([1, 1], a constant) and the rows' derivatives in it ([B, items]). The
   * inner loop then uses `row + (decay − decayAt) · derivative`: the same value,
   * and the exact gradient in the decay (core/inner effectiveSupport).
   */
  readonly decayAt?: tf.Tensor2D;
  readonly positivesDecay?: tf.Tensor2D;
  readonly neighboursDecay?: tf.Tensor2D;
  readonly transitionsDecay?: tf.Tensor2D;
};

/**
 * Item-item structure shipped with a model: for every item, its `m` most
 * similar items over training users' positives.
 */
export interface Neighbours {
  /** Neighbours kept per item. */
  readonly m: number;
  /** [items × m] neighbour indices, -1 where an item has fewer than m. */
  readonly ids: Int32Array;
  /**
   * [items × m] shrunk cosine similarities |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)
   * (train/neighbours: the shrinkage keeps pairs seen by one user from crowding
   * out well-supported ones), 0 where `ids` is -1.
   */
  readonly sims: Float32Array;
}

/** One visitor's feedback, as catalog indices. */
export interface Feedback {
  /** Clicked items, oldest first; repeats count again. */
  readonly clicks: Int32Array;
  /** Items shown and not clicked (impressions); clicked items are ignored here. */
  readonly negatives: Int32Array;
  /** Optional weight per click (e.g. from explicit ratings, or recency); default 1. */
  readonly clickWeights?: Float32Array;
}

/** Per-item lists as training builds them (padded arrays) or as format v2 ships them (encoded, read row by row). */
export type AnyItemLists = Neighbours | ItemLists;

/** What one visitor's adaptation needs: the per-visitor parameters, the item table and any item lists. */
export interface AdaptModel {
  readonly params: AdaptParams;
  readonly items: AnyItemTable;
  readonly neighbours?: AnyItemLists;
  /** Next-item transition lists (the sequential term), same layout as `neighbours`. */
  readonly transitions?: AnyItemLists;
  /**
   * The recency decay of click weights, read once from `params.logitDecay`
   * (core/recency decayOf): 1 for models without one. Kept on the model so
   * that no click reads a tensor back for it.
   */
  readonly decay: number;
}

/** What a visitor's clicks become before a kernel runs (core/clicks.ts), the same for every kernel. */
export interface ClickSignals {
  /** One weight per click, recency × rating, normalised to sum 1 (0 without clicks). */
  readonly weights: Float32Array;
  /** The evidence behind them: Σ rating weights (the click count when unrated). */
  readonly count: number;
  /** The item-item row Σ_j w_j sim(c_j → ·), for models with neighbours. */
  readonly neighbours: SparseRow | null;
  /** The sequential row Σ_k decay^k trans(c_(t-1-k) → ·) over the last clicks, for models with transitions. */
  readonly transitions: SparseRow | null;
}

/**
 * One visitor's adapted parameters (a batch of one, as UserBatch) with the
 * offset rows kept sparse: a click's rows have a few hundred non-zero entries
 * in a catalog of up to millions, so building, holding and scoring them costs
 * O(entries), never O(catalog). The tfjs kernel makes dense rows of them
 * inside its own operations.
 */
export interface UserState {
  /** [1, dim] user vector. */
  readonly user: tf.Tensor2D;
  /** [1, 1] weight of the popularity prior. */
  readonly pop: tf.Tensor2D;
  /** [1, 1] weight of the item-item term, when the model has neighbours. */
  readonly knn?: tf.Tensor2D;
  /** The item-item row the weight multiplies, fixed by the clicks. */
  readonly neighbours?: SparseRow;
  /** [1, 1] weight of the sequential term, when the model has transition lists. */
  readonly seq?: tf.Tensor2D;
  /** The transition row it multiplies. */
  readonly transitions?: SparseRow;
}

/** Metrics of one adaptation step; step 0 is the starting point. */
export interface StepMetrics {
  readonly step: number;
  /** Support loss of the parameters after this step. */
  readonly loss: number;
  /** Wall time of the step, ms. */
  readonly ms: number;
}

/**
 * Which implementation runs a click: `tfjs` operations on the active backend,
 * `host` loops over host copies of the item table (host-kernel.ts), or `auto`:
 * host loops where tensors live in host memory anyway (cpu, wasm), where one
 * pass per step beats ~30 small tfjs operations, and tfjs on GPU backends.
 */
export type ClickKernel = 'auto' | 'tfjs' | 'host';

/**
 * A score offset over the catalog that only a few items carry: its non-zero
 * entries, `items` ascending and `values[j]` the value of `items[j]` (every
 * other item's is 0). The item-item term is one (the mean similarity of every
 * item to the clicked ones); the weight that multiplies it is part of the
 * visitor's state. Never mutated once built: states share them.
 */
export interface SparseRow {
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** What one adaptation runs on, built once by the driver (core/adapt.ts) for whichever kernel runs it. */
export interface AdaptProblem {
  readonly feedback: Feedback;
  /** Total weight of the impressions relative to the clicks' total of 1. */
  readonly negativeWeight: number;
  /** Click weights, evidence and the two offset rows of these clicks. */
  readonly signals: ClickSignals;
  /** Gradient steps the driver will ask for. */
  readonly steps: number;
}

/**
 * One adaptation on one kernel, as pure steps over states of the kernel's own
 * representation `S` (tensors, host arrays, GPU buffers). The driver owns the
 * loop, abort, rollback and the last good state; a run never mutates a state.
 */
export interface KernelRun<S> {
  /** Step 0: the start parameters, prepared to be scored on this run's feedback. */
  first(): Promise<S>;
  /** Support loss of `state` (catalog cross-entropy plus the slate term). */
  loss(state: S): Promise<number>;
  /** One gradient step from `state`, as a new state. `last`: no step follows (a kernel may skip what only a next step reads). */
  step(state: S, last: boolean): Promise<S>;
  /** The state as tensors the caller owns; the run lets go of it. */
  keep(state: S): UserState;
  /** Frees a state the driver dropped (superseded or rolled back). */
  drop(state: S): void;
  /** Frees what the run itself holds (encoded feedback, rates). */
  dispose(): void;
}

/**
 * An implementation of the click path: the start, the adaptation steps and the
 * ranking. core has two (kernel-tfjs.ts, kernel-host.ts); another passes itself
 * as the `kernel` option of adapt/initialState/rank/scoreAll.
 */
export interface AdaptKernel {
  readonly name: string;
  /** Step-0 parameters of a visitor: the initialization moved towards the clicks' prototype. */
  initialState(model: AdaptModel, clicks: Int32Array, signals: ClickSignals): UserState;
  /** Starts an adaptation from `start` (which stays the caller's). */
  run(model: AdaptModel, start: UserState, problem: AdaptProblem): KernelRun<unknown>;
  /** Scores of every item for one visitor ([items], the caller's to keep). */
  scores(items: AnyItemTable, state: UserState): Promise<Float32Array>;
  /** Top `k` items, best first (ties to the lower index), skipping `exclude`. */
  rank(items: AnyItemTable, state: UserState, k: number, exclude: Int32Array): Promise<{ indices: Int32Array; scores: Float32Array }>;
  /**
   * Optional: the 1-based rank of `target` among the items not in `exclude`
   * (higher score first, equal scores in catalog order, NaN last: the
   * protocol's rule), without the catalog's scores leaving the kernel. A
   * kernel may answer it with its next adaptation started in the same task
   * (a GPU kernel: one read-back for a click's rank before adapting and the
   * adaptation). Without it, callers rank `scores()`.
   */
  rankOf?(items: AnyItemTable, state: UserState, target: number, exclude: Int32Array): Promise<number>;
}
