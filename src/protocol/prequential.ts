// Protocol v2, the prequential next click (../shared/BENCHMARK.md): after every
// click of an evaluated user, is their next click in the top 10? Pure: the
// harness (src/eval) and the trainer's validation both import it.
import { exclusionMask, rankOf } from './metrics.js';
import type { Scores, UserPositives } from './types.js';

export const PREQUENTIAL = {
  /** Steps per user: t = 1..min(n - 1, maxSteps). */
  maxSteps: 50,
  /** Ranks counted as hits (HR@10, MRR@10). */
  cutoff: 10,
  /** Steps reported on the HR@10 curve (mean over the users that reach them). */
  curveSteps: [1, 2, 3, 5, 10, 20, 50],
} as const;

/** One prequential prediction: the history so far (in order) and the click that follows it. */
export interface PrequentialStep {
  /** 1-based: the history holds the first t positives. */
  readonly t: number;
  readonly history: Int32Array;
  readonly target: number;
}

/** The steps of one user: t = 1..min(n - 1, maxSteps); none for a user with fewer than 2 positives. */
export function prequentialSteps(user: UserPositives, maxSteps: number = PREQUENTIAL.maxSteps): PrequentialStep[] {
  const n = Math.min(user.items.length - 1, maxSteps);
  const out: PrequentialStep[] = [];
  for (let t = 1; t <= n; t++) out.push({ t, history: user.items.subarray(0, t), target: user.items[t]! });
  return out;
}

/** HR@10 and MRR@10 of one step from full-catalog scores: candidates are the catalog minus the history's items. */
export function prequentialMetrics(scores: Scores, step: PrequentialStep, cutoff: number = PREQUENTIAL.cutoff): { hit: number; rr: number; rank: number } {
  // A target clicked before (repeats are merged by the protocol, so never here) would be excluded with the history.
  const rank = rankOf(scores, step.target, exclusionMask(scores.length, step.history));
  return { hit: rank <= cutoff ? 1 : 0, rr: rank <= cutoff ? 1 / rank : 0, rank };
}
