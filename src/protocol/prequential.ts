// Protocol v2, the prequential next click (../shared/BENCHMARK.md): after every
// click of an evaluated user, is their next click in the top 10? Pure: the
// harness (src/eval) and the trainer's validation both import it.
import { rankOf } from './metrics.js';
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

/**
 * The history's exclusion mask, set and cleared per call rather than allocated: the
 * harness and the trainer's validation rank every prefix of every user, and a
 * catalog-long allocation per prefix was a measurable part of that. No call awaits,
 * so no two share it.
 */
let historyMask = new Uint8Array(0);

/** HR@10 and MRR@10 of one step from full-catalog scores: candidates are the catalog minus the history's items. */
export function prequentialMetrics(scores: Scores, step: PrequentialStep, cutoff: number = PREQUENTIAL.cutoff): { hit: number; rr: number; rank: number } {
  if (historyMask.length !== scores.length) historyMask = new Uint8Array(scores.length);
  // A target clicked before (repeats are merged by the protocol, so never here) would be excluded with the history.
  for (const h of step.history) historyMask[h] = 1;
  try {
    const rank = rankOf(scores, step.target, historyMask);
    return { hit: rank <= cutoff ? 1 : 0, rr: rank <= cutoff ? 1 / rank : 0, rank };
  } finally {
    for (const h of step.history) historyMask[h] = 0;
  }
}
