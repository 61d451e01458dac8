// What the harness asks of a method under evaluation.
import type { FoldData, Scores, UserPositives } from '../protocol/types';

/** A fitted method: ranks the catalog for a new user from their support set only. */
export interface Scorer {
  /** Scores for every catalog item given the support items (catalog indices, in the user's order). */
  score(support: Int32Array): Promise<Scores>;
  /**
   * Scores for several supports at once (e.g. every prefix of one user's history
   * in protocol v2): the same as calling `score` on each, batched where a method can.
   */
  scoreMany?(supports: readonly Int32Array[]): Promise<Scores[]>;
  /**
   * Scores after 0, 1, ..., K adaptation steps (adapted methods only), for the k = 5 step curve;
   * K is `steps` when given, else the method's browser-runtime default.
   */
  scoreSteps?(support: Int32Array, steps?: number): Promise<Scores[]>;
  /** The hyperparameter grid searched on validation users and the choice, for the report. */
  readonly tuning?: Readonly<Record<string, unknown>>;
  /** The chosen configuration's validation objective, when tuning measured it (so a user of this fit need not measure it again). */
  readonly validation?: { readonly objective: string; readonly value: number };
  dispose?(): void;
}

/** A tuning objective: one number per scorer on the validation users, higher is better. */
export interface Objective {
  /** For the report, e.g. "mean validation nDCG@10 over k in {1,3,5,10,20}". */
  readonly name: string;
  /** The protocol whose question it asks, for methods that tune by their own means (a trainer's validation). */
  readonly protocol: 'v1' | 'v2';
  score(scorer: Scorer, users: readonly UserPositives[]): Promise<number>;
  /**
   * `score` of several scorers in one pass over the users (the same values): each user's
   * supports go to every scorer as the same arrays, so scorers can share work per user.
   */
  scoreAll(scorers: readonly Scorer[], users: readonly UserPositives[]): Promise<number[]>;
}

/** What a method is told besides the fold: the shot counts to tune at, the objective and a progress sink. */
export interface FitContext {
  /** Shot counts used for tuning (mean validation nDCG@10 over them). */
  readonly ks: readonly number[];
  /** The objective to tune on (default: protocol v1's mean nDCG@10 over `ks`). */
  readonly objective?: Objective;
  readonly onProgress?: (message: string) => void;
  /**
   * The fold's fitted methods, shared within a run: a method that builds on
   * others (a blend) takes their fits from here instead of fitting them again.
   */
  readonly registry?: FoldRegistry;
}

/** The fitted-and-tuned methods of one fold (see registry.ts): it owns them and disposes them. */
export interface FoldRegistry {
  /**
   * The scorer of method `name` on this fold tuned for `objective`: the one fitted
   * earlier in the run if any, else `fit()`'s, kept for later users. Callers borrow
   * it: they never dispose it.
   */
  fitted(name: string, objective: Objective, fit: () => Promise<Scorer>): Promise<Scorer>;
  /**
   * A piece of work that does not depend on the tuning objective (a Gram matrix, the
   * factors of one grid configuration): `make()`'s value the first time `key` is asked
   * for on this fold, the same value after, so protocol v1's and v2's grids fit it once.
   * The key names the method and every setting the value depends on.
   */
  shared<T>(key: string, make: () => T): T;
}

/** A recommendation method under evaluation; `fit` learns from fold.train and tunes on fold.validation only. */
export interface Method {
  readonly name: string;
  /**
   * False for a method whose fit does not depend on the tuning objective (an
   * exactly specified baseline, or a trainer with its own validation): the
   * harness then fits it once per fold for every protocol it runs.
   */
  readonly tunes?: boolean;
  /** Names of the methods whose fits on the same fold it builds on (a blend's components): the harness keeps those for it. */
  readonly uses?: readonly string[];
  fit(fold: FoldData, ctx: FitContext): Promise<Scorer>;
}

/** Builds a fresh method instance; the registry maps CLI names to these. */
export type MethodFactory = () => Method;
