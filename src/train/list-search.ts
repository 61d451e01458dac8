// Item-list settings chosen on the validation users before training: the
// item-item shrinkage and whether a sequential term earns its place.
import { neighbourRow, type Neighbours } from '../core/neighbours';
import { recencyWeights } from '../core/recency';
import { seqWeights, type Transitions } from '../core/transitions';
import { episodeMetrics } from '../protocol/metrics';
import { makeEpisode } from '../protocol/episodes';
import type { UserPositives } from '../protocol/types';
import { prequentialMetrics, prequentialSteps } from '../protocol/prequential';
import type { ValidationObjective } from './config';
import { buildNeighbours, type TrainingNeighbours } from './neighbours';
import { buildTransitions, type TrainingTransitions } from './transitions';

/** Shrinkages of the item-item cosine tried (0: plain cosine; 10: pairs seen by few users count less). */
export const NEIGHBOUR_SHRINKS = [0, 10] as const;
/** Weights of the transition row against the item-item row tried; 0 leaves the sequential term out. */
export const TRANSITION_WEIGHTS = [0, 0.5, 1, 2, 4] as const;
/** The decay the proxy weighs clicks with: the model learns its own from here. */
const PROXY_DECAY: Record<ValidationObjective, number> = { v1: 1, v2: 0.8, both: 0.9 };

/** The proxy's score of a candidate: the trainer's objective on the item-list rows alone. */
function proxyObjective(
  users: readonly UserPositives[],
  objective: ValidationObjective,
  ks: readonly number[],
  scores: (support: Int32Array) => Float32Array,
): number {
  const v1 = (): number => {
    let total = 0;
    for (const k of ks) {
      const eps = users.map((u) => makeEpisode(u, k)).filter((e) => e !== null);
      total += eps.reduce((a, e) => a + episodeMetrics(scores(e.support), e.support, e.query).ndcg10, 0) / Math.max(eps.length, 1);
    }
    return total / ks.length;
  };
  const v2 = (): number => {
    let total = 0;
    let n = 0;
    for (const u of users) {
      const steps = prequentialSteps(u);
      if (steps.length === 0) continue;
      total += steps.reduce((a, s) => a + prequentialMetrics(scores(s.history), s).hit, 0) / steps.length;
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
}

/**
 * Builds the item lists with the settings the validation users prefer: the
 * neighbour shrinkage by the item-item row alone, then the transition lists
 * only if adding their row (at some weight) beats the item-item row alone.
 */
export function chooseItemLists(
  train: readonly Int32Array[],
  items: number,
  validation: readonly UserPositives[],
  config: { readonly neighbours: number; readonly transitions: number; readonly transitionShrink: number; readonly objective: ValidationObjective; readonly validationKs: readonly number[] },
): ListChoice {
  const decay = PROXY_DECAY[config.objective];
  const trials: { shrink?: number; transitionWeight?: number; validation: number }[] = [];
  const row = (lists: Neighbours | Transitions, support: Int32Array, weights: ArrayLike<number>, out: Float32Array): Float32Array => neighbourRow(lists, support, out, weights);
  let neighbours: TrainingNeighbours | undefined;
  if (config.neighbours > 0) {
    let best = -Infinity;
    for (const shrink of NEIGHBOUR_SHRINKS) {
      const lists = buildNeighbours(train, items, config.neighbours, shrink);
      const v = proxyObjective(validation, config.objective, config.validationKs, (s) => row(lists, s, recencyWeights(s.length, decay).weights, new Float32Array(items)));
      trials.push({ shrink, validation: v });
      if (v > best) [best, neighbours] = [v, lists];
    }
  }
  if (config.transitions <= 0) return { neighbours, transitions: undefined, trials };
  const next = buildTransitions(train, items, config.transitions, config.transitionShrink);
  let bestWeight = 0;
  let best = -Infinity;
  for (const weight of TRANSITION_WEIGHTS) {
    const v = proxyObjective(validation, config.objective, config.validationKs, (s) => {
      const out = neighbours ? row(neighbours, s, recencyWeights(s.length, decay).weights, new Float32Array(items)) : new Float32Array(items);
      if (weight === 0) return out;
      const seq = row(next, s, seqWeights(s.length, decay).weights, new Float32Array(items));
      for (let i = 0; i < items; i++) out[i]! += weight * seq[i]!;
      return out;
    });
    trials.push({ transitionWeight: weight, validation: v });
    if (v > best) [best, bestWeight] = [v, weight];
  }
  return { neighbours, transitions: bestWeight > 0 ? next : undefined, trials };
}
