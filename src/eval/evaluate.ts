import { episodeMetrics } from '../protocol/metrics.js';
import { makeEpisode } from '../protocol/episodes.js';
import type { UserPositives } from '../protocol/types.js';
import type { FitContext, Objective, Scorer } from './types.js';

/** Per-user nDCG@10 and Recall@20 at one shot count (users with an empty query are skipped). */
export interface EpisodeResults {
  readonly ndcg10: number[];
  readonly recall20: number[];
}

/** Runs the protocol's episodes for every user at shot count k. */
export async function evaluateAtK(scorer: Scorer, users: readonly UserPositives[], k: number): Promise<EpisodeResults> {
  const ndcg10: number[] = [];
  const recall20: number[] = [];
  for (const u of users) {
    const ep = makeEpisode(u, k);
    if (!ep) continue;
    const m = episodeMetrics(await scorer.score(ep.support), ep.support, ep.query);
    ndcg10.push(m.ndcg10);
    recall20.push(m.recall20);
  }
  return { ndcg10, recall20 };
}

/** The tuning objective: mean validation nDCG@10 averaged over the shot counts. */
export async function validationObjective(scorer: Scorer, users: readonly UserPositives[], ks: readonly number[]): Promise<number> {
  let total = 0;
  for (const k of ks) {
    const r = await evaluateAtK(scorer, users, k);
    total += r.ndcg10.length ? r.ndcg10.reduce((a, b) => a + b, 0) / r.ndcg10.length : 0;
  }
  return total / ks.length;
}

/** Protocol v1's tuning objective as an Objective. */
export function ndcgObjective(ks: readonly number[]): Objective {
  return { name: `mean validation nDCG@10 over k in {${ks.join(',')}}`, protocol: 'v1', score: (scorer, users) => validationObjective(scorer, users, ks) };
}

/** The objective a fit tunes on: the context's, else protocol v1's. */
export function objectiveOf(ctx: FitContext): Objective {
  return ctx.objective ?? ndcgObjective(ctx.ks);
}

/** A configuration tried on validation users and its objective. */
export interface GridTrial<C> {
  readonly config: C;
  /** The validation objective (see the tuning's `objective`). */
  readonly validation: number;
}

/** A grid stage: fixed configurations, or ones derived from the best so far and every trial. */
export type GridStage<C> = readonly C[] | ((best: C, trials: readonly GridTrial<C>[]) => readonly C[]);

/**
 * Staged grid search on validation users: each stage's configurations are built and scored,
 * repeats of a configuration are skipped, and the winner carries the grid, every objective and the choice.
 */
export async function gridSearch<C extends Readonly<Record<string, unknown>>>(
  method: string,
  stages: readonly GridStage<C>[],
  build: (config: C) => Promise<Scorer>,
  validation: readonly UserPositives[],
  ctx: FitContext,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<Scorer> {
  const objective = objectiveOf(ctx);
  let best: { scorer: Scorer; config: C; value: number } | null = null;
  const tried: GridTrial<C>[] = [];
  const seen = new Set<string>();
  for (const stage of stages) {
    const grid: readonly C[] = typeof stage === 'function' ? (best ? stage(best.config, tried) : []) : stage;
    for (const config of grid) {
      const key = JSON.stringify(config);
      if (seen.has(key)) continue;
      seen.add(key);
      const scorer = await build(config);
      const value = validation.length ? await objective.score(scorer, validation) : 0;
      tried.push({ config, validation: value });
      ctx.onProgress?.(`${key} validation ${value.toFixed(4)}`);
      if (!best || value > best.value) {
        best?.scorer.dispose?.();
        best = { scorer, config, value };
      } else {
        scorer.dispose?.();
      }
    }
  }
  if (!best) throw new Error(`${method}: empty hyperparameter grid; give at least one configuration`);
  const { scorer, config, value } = best;
  const tuning = { ...extra, objective: objective.name, grid: tried, chosen: config };
  return {
    score: (s) => scorer.score(s),
    ...(scorer.scoreMany ? { scoreMany: scorer.scoreMany.bind(scorer) } : {}),
    ...(scorer.scoreSteps ? { scoreSteps: scorer.scoreSteps.bind(scorer) } : {}),
    tuning,
    validation: { objective: objective.name, value },
    dispose: () => scorer.dispose?.(),
  };
}
