// Item-list settings chosen on the validation users before training: the
// item-item shrinkage and whether a sequential term earns its place.
import { recencyWeights } from '../core/recency';
import { seqWeights } from '../core/transitions';
import { episodeMetrics } from '../protocol/metrics';
import { makeEpisode } from '../protocol/episodes';
import type { UserPositives } from '../protocol/types';
import { PREQUENTIAL, prequentialSteps } from '../protocol/prequential';
import { ProxyRow } from './proxy-row';
import type { ValidationObjective } from './config';
import { SILENT_REPORTER, type TrainReporter } from './progress';
import { buildNeighbours, type TrainingNeighbours } from './neighbours';
import { buildTransitions, type TrainingTransitions } from './transitions';

/** Shrinkages of the item-item cosine tried (0: plain cosine; 10: pairs seen by few users count less). */
export const NEIGHBOUR_SHRINKS = [0, 10] as const;
/** Weights of the transition row against the item-item row tried; 0 leaves the sequential term out. */
export const TRANSITION_WEIGHTS = [0, 0.5, 1, 2, 4] as const;
/** The decay the proxy weighs clicks with: the model learns its own from here. */
const PROXY_DECAY: Record<ValidationObjective, number> = { v1: 1, v2: 0.8, both: 0.9 };

/** The proxy's score of a candidate: the trainer's objective on the item-list rows alone (each row cleared once scored). */
function proxyObjective(
  users: readonly UserPositives[],
  objective: ValidationObjective,
  ks: readonly number[],
  scores: (support: Int32Array) => ProxyRow,
): number {
  const v1 = (): number => {
    let total = 0;
    for (const k of ks) {
      const eps = users.map((u) => makeEpisode(u, k)).filter((e) => e !== null);
      total += eps.reduce((a, e) => {
        const row = scores(e.support);
        const ndcg = episodeMetrics(row.values, e.support, e.query).ndcg10;
        row.clear();
        return a + ndcg;
      }, 0) / Math.max(eps.length, 1);
    }
    return total / ks.length;
  };
  const v2 = (): number => {
    let total = 0;
    let n = 0;
    for (const u of users) {
      const steps = prequentialSteps(u);
      if (steps.length === 0) continue;
      total += steps.reduce((a, s) => {
        const row = scores(s.history);
        const hit = row.rank(s.target, s.history) <= PREQUENTIAL.cutoff ? 1 : 0;
        row.clear();
        return a + hit;
      }, 0) / steps.length;
      n++;
    }
    return total / Math.max(n, 1);
  };
  if (objective === 'v1') return v1();
  if (objective === 'v2') return v2();
  return (v1() + v2()) / 2;
}

export interface ListChoice {
  readonly neighbours: TrainingNeighbours | undefined;
  readonly transitions: TrainingTransitions | undefined;
  readonly trials: readonly { readonly shrink?: number; readonly transitionWeight?: number; readonly validation: number }[];
  /** Trials run before the time budget ended the search; absent when it ran to the end. */
  readonly stoppedAfter?: number;
}

/**
 * Builds the item lists with the settings the validation users prefer: the
 * neighbour shrinkage by the item-item row alone, then the transition lists
 * only if adding their row (at some weight) beats the item-item row alone.
 * Past `deadline` (performance.now()) no new trial starts after the first;
 * transitions not tried by then stay out.
 */
export function chooseItemLists(
  train: readonly Int32Array[],
  items: number,
  validation: readonly UserPositives[],
  config: { readonly neighbours: number; readonly transitions: number; readonly transitionShrink: number; readonly objective: ValidationObjective; readonly validationKs: readonly number[] },
  reporter: TrainReporter = SILENT_REPORTER,
  deadline?: number,
): ListChoice {
  const outOfTime = (): boolean => trials.length > 0 && deadline !== undefined && performance.now() >= deadline;
  const stopped = (): { stoppedAfter?: number } => (outOfTime() ? { stoppedAfter: trials.length } : {});
  const decay = PROXY_DECAY[config.objective];
  const trials: { shrink?: number; transitionWeight?: number; validation: number }[] = [];
  reporter.stage('item lists', (config.neighbours > 0 ? NEIGHBOUR_SHRINKS.length : 0) + (config.transitions > 0 ? TRANSITION_WEIGHTS.length : 0), 'trials');
  // Two reusable rows serve every candidate: the item-item (plus weighted transitions) row and the transitions row.
  const [rows, seqRows] = [new ProxyRow(items), new ProxyRow(items)];
  let neighbours: TrainingNeighbours | undefined;
  if (config.neighbours > 0) {
    let best = -Infinity;
    for (const shrink of NEIGHBOUR_SHRINKS) {
      if (outOfTime()) break;
      const lists = buildNeighbours(train, items, config.neighbours, shrink);
      const v = proxyObjective(validation, config.objective, config.validationKs, (s) => rows.addLists(lists, s, recencyWeights(s.length, decay).weights));
      trials.push({ shrink, validation: v });
      reporter.advance(trials.length, `shrink ${shrink}: ${v.toFixed(4)}`);
      if (v > best) [best, neighbours] = [v, lists];
    }
  }
  if (config.transitions <= 0 || outOfTime()) return { neighbours, transitions: undefined, trials, ...stopped() };
  const next = buildTransitions(train, items, config.transitions, config.transitionShrink);
  let bestWeight = 0;
  let best = -Infinity;
  for (const weight of TRANSITION_WEIGHTS) {
    if (outOfTime()) break;
    const v = proxyObjective(validation, config.objective, config.validationKs, (s) => {
      const out = neighbours ? rows.addLists(neighbours, s, recencyWeights(s.length, decay).weights) : rows;
      if (weight === 0) return out;
      out.addScaled(seqRows.addLists(next, s, seqWeights(s.length, decay).weights), weight);
      seqRows.clear();
      return out;
    });
    trials.push({ transitionWeight: weight, validation: v });
    reporter.advance(trials.length, `transition weight ${weight}: ${v.toFixed(4)}`);
    if (v > best) [best, bestWeight] = [v, weight];
  }
  return { neighbours, transitions: bestWeight > 0 ? next : undefined, trials, ...stopped() };
}
