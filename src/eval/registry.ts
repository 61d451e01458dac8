// The fitted-and-tuned methods of one fold, shared within a run: the single owner of fits that
// several methods use (a blend's components), so nothing is fitted and tuned twice on a fold.
import type { Scores } from '../protocol/types.js';
import type { FitContext, FoldRegistry, Objective, Scorer } from './types.js';

/** `make()` through the fold's registry when the method runs in a harness (shared across protocols), else computed here. */
export function sharedPiece<T>(ctx: FitContext, key: string, make: () => T): T {
  return ctx.registry ? ctx.registry.shared(key, make) : make();
}

/** Fits of one fold keyed by method name and tuning objective; disposes what it holds. */
export class FitRegistry implements FoldRegistry {
  private readonly pending = new Map<string, Promise<Scorer>>();
  private readonly held = new Map<string, Scorer>();
  private readonly pieces = new Map<string, unknown>();

  /**
   * `kept`: the method names some method of the run builds on (their `uses`);
   * `release` keeps those until `dispose`. Default: keep everything.
   */
  constructor(private readonly kept: ReadonlySet<string> | 'all' = 'all') {}

  /** A name stands for one method configuration within a run, as in the report; the objective tells protocol v1's fit from v2's. */
  private static key(name: string, objective: Objective): string {
    return `${name}\n${objective.name}`;
  }

  /** Whether `name` was already fitted on this fold for `objective`. */
  has(name: string, objective: Objective): boolean {
    return this.pending.has(FitRegistry.key(name, objective));
  }

  fitted(name: string, objective: Objective, fit: () => Promise<Scorer>): Promise<Scorer> {
    const key = FitRegistry.key(name, objective);
    let scorer = this.pending.get(key);
    if (!scorer) {
      scorer = fit().then(
        (s) => {
          const shared = latestPrefixesShared(s);
          this.held.set(key, shared);
          return shared;
        },
        (err: unknown) => {
          this.pending.delete(key);
          throw err;
        },
      );
      this.pending.set(key, scorer);
    }
    return scorer;
  }

  shared<T>(key: string, make: () => T): T {
    if (!this.pieces.has(key)) this.pieces.set(key, make());
    return this.pieces.get(key) as T;
  }

  /** The method `name` is done with its own fit: disposed now unless another method of the run builds on it. */
  release(name: string, objective: Objective): void {
    if (this.kept === 'all' || this.kept.has(name)) return;
    this.drop(FitRegistry.key(name, objective));
  }

  /** Disposes every fit held (end of the fold, or of the method that owned this registry). */
  dispose(): void {
    for (const key of [...this.held.keys()]) this.drop(key);
    this.pieces.clear();
  }

  private drop(key: string): void {
    this.held.get(key)?.dispose?.();
    this.held.delete(key);
    this.pending.delete(key);
  }
}

/**
 * `s` with its latest `scoreMany` answer kept for the same supports array: a fit borrowed
 * by several methods (iALS by the blend) scores one user's prefixes once when the harness
 * hands that array to all of them in one pass (runFold's joint protocol v2 evaluation).
 * Scores are read, never written, by their users, so sharing the arrays is safe.
 */
export function latestPrefixesShared(s: Scorer): Scorer {
  if (!s.scoreMany) return s;
  const many = s.scoreMany.bind(s);
  let last: { key: readonly Int32Array[]; scores: Promise<Scores[]> } | null = null;
  return {
    score: (support) => s.score(support),
    scoreMany: (supports) => {
      if (last?.key !== supports) last = { key: supports, scores: many(supports) };
      return last.scores;
    },
    ...(s.scoreSteps ? { scoreSteps: s.scoreSteps.bind(s) } : {}),
    ...(s.tuning ? { tuning: s.tuning } : {}),
    ...(s.validation ? { validation: s.validation } : {}),
    ...(s.dispose ? { dispose: s.dispose.bind(s) } : {}),
  };
}
