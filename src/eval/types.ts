import type { ItemContent } from '../data/dataset.js';

/** One user's positives as catalog indices, in protocol order (timestamp, then fnv1a32(user:item)). */
export interface UserPositives {
  readonly user: string;
  readonly items: Int32Array;
}

/** Everything a method may see for one fold of protocol v1. */
export interface FoldData {
  readonly fold: number;
  /** Every distinct item id of the interaction log, ascending JS string order. */
  readonly catalog: readonly string[];
  readonly itemIndex: ReadonlyMap<string, number>;
  /** All training users (seven buckets) with at least one positive. */
  readonly train: readonly UserPositives[];
  /** Validation users (one bucket) with at least `minPositives` positives: the only tuning data. */
  readonly validation: readonly UserPositives[];
  /** Evaluated test users (two buckets) with at least `minPositives` positives. */
  readonly test: readonly UserPositives[];
  /** Content per catalog index (undefined where the source describes nothing). */
  readonly content: readonly (ItemContent | undefined)[];
}

/** One score per catalog item; higher ranks first, ties in catalog order. */
export type Scores = Float32Array | Float64Array;

/** A fitted method: ranks the catalog for a new user from their support set only. */
export interface Scorer {
  /** Scores for every catalog item given the support items (catalog indices). */
  score(support: Int32Array): Promise<Scores>;
  /**
   * Scores after 0, 1, ..., K adaptation steps (adapted methods only), for the k = 5 step curve;
   * K is `steps` when given, else the method's browser-runtime default.
   */
  scoreSteps?(support: Int32Array, steps?: number): Promise<Scores[]>;
  /** The hyperparameter grid searched on validation users and the choice, for the report. */
  readonly tuning?: Readonly<Record<string, unknown>>;
  dispose?(): void;
}

/** What a method is told besides the fold: the shot counts to tune at and a progress sink. */
export interface FitContext {
  /** Shot counts used for tuning (mean validation nDCG@10 over them). */
  readonly ks: readonly number[];
  readonly onProgress?: (message: string) => void;
}

/** A recommendation method under evaluation; `fit` learns from fold.train and tunes on fold.validation only. */
export interface Method {
  readonly name: string;
  fit(fold: FoldData, ctx: FitContext): Promise<Scorer>;
}

/** Builds a fresh method instance; the registry maps CLI names to these. */
export type MethodFactory = () => Method;
