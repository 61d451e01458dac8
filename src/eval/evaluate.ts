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
  return (await evaluateAtKAll([scorer], users, k))[0]!;
}

/**
 * `evaluateAtK` for several scorers in one pass over the users: each episode is
 * built once and handed to every scorer as the same array, so scorers that
 * share work per support (a blend's weights) can reuse it.
 */
export async function evaluateAtKAll(scorers: readonly Scorer[], users: readonly UserPositives[], k: number): Promise<EpisodeResults[]> {
  const out = scorers.map((): EpisodeResults => ({ ndcg10: [], recall20: [] }));
  for (const u of users) {
    const ep = makeEpisode(u, k);
    if (!ep) continue;
    for (const [i, scorer] of scorers.entries()) {
      const m = episodeMetrics(await scorer.score(ep.support), ep.support, ep.query);
      out[i]!.ndcg10.push(m.ndcg10);
      out[i]!.recall20.push(m.recall20);
    }
  }
  return out;
}

/** The tuning objective: mean validation nDCG@10 averaged over the shot counts. */
export async function validationObjective(scorer: Scorer, users: readonly UserPositives[], ks: readonly number[]): Promise<number> {
  return (await validationObjectiveAll([scorer], users, ks))[0]!;
}

/** `validationObjective` of several scorers in one pass over the users per shot count. */
async function validationObjectiveAll(scorers: readonly Scorer[], users: readonly UserPositives[], ks: readonly number[]): Promise<number[]> {
  const totals = scorers.map(() => 0);
  for (const k of ks) {
    const results = await evaluateAtKAll(scorers, users, k);
    results.forEach((r, i) => (totals[i]! += r.ndcg10.length ? r.ndcg10.reduce((a, b) => a + b, 0) / r.ndcg10.length : 0));
  }
  return totals.map((t) => t / ks.length);
}

/** Protocol v1's tuning objective as an Objective. */
export function ndcgObjective(ks: readonly number[]): Objective {
  return {
    name: `mean validation nDCG@10 over k in {${ks.join(',')}}`,
    protocol: 'v1',
    score: (scorer, users) => validationObjective(scorer, users, ks),
    scoreAll: (scorers, users) => validationObjectiveAll(scorers, users, ks),
  };
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
 * With `together`, a stage's scorers are built at once and scored in one pass over the users
 * (`Objective.scoreAll`): for scorers that share work per user, like a blend's weights; same values.
 */
export async function gridSearch<C extends Readonly<Record<string, unknown>>>(
  method: string,
  stages: readonly GridStage<C>[],
  build: (config: C) => Promise<Scorer>,
  validation: readonly UserPositives[],
  ctx: FitContext,
  extra: Readonly<Record<string, unknown>> = {},
  together = false,
): Promise<Scorer> {
  const objective = objectiveOf(ctx);
  // Typed by a cast so the narrowing of `null` survives the updates made inside `consider`.
  let best = null as { scorer: Scorer; config: C; value: number } | null;
  const tried: GridTrial<C>[] = [];
  const seen = new Set<string>();
  const consider = (config: C, scorer: Scorer, value: number): void => {
    tried.push({ config, validation: value });
    ctx.onProgress?.(`${JSON.stringify(config)} validation ${value.toFixed(4)}`);
    if (!best || value > best.value) {
      best?.scorer.dispose?.();
      best = { scorer, config, value };
    } else {
      scorer.dispose?.();
    }
  };
  for (const stage of stages) {
    const grid = (typeof stage === 'function' ? (best ? stage(best.config, tried) : []) : stage).filter((config) => {
      const key = JSON.stringify(config);
      return seen.has(key) ? false : (seen.add(key), true);
    });
    if (together) {
      const scorers = await Promise.all(grid.map(build));
      const values = validation.length ? await objective.scoreAll(scorers, validation) : scorers.map(() => 0);
      grid.forEach((config, i) => consider(config, scorers[i]!, values[i]!));
      continue;
    }
    for (const config of grid) {
      const scorer = await build(config);
      consider(config, scorer, validation.length ? await objective.score(scorer, validation) : 0);
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
