// What the harness asks of a method under evaluation.
import type { FoldData, Scores } from '../protocol/types';

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
