// Protocol v2 evaluation of a fitted method: every prefix of every user's history is scored.
import { PREQUENTIAL, prequentialMetrics, prequentialSteps } from '../protocol/prequential.js';
import type { Scores, UserPositives } from '../protocol/types.js';
import type { Objective, Scorer } from './types.js';

/** Per-user HR@10 and MRR@10 (means over their steps) and, per step t, the hits of the users that reach it. */
export interface PrequentialResults {
  readonly hr10: number[];
  readonly mrr10: number[];
  /** t → one 0/1 hit per user that reaches step t. */
  readonly hitsByStep: Map<number, number[]>;
}

/** Scores of every prefix of one user, batched when the method can. */
async function prefixScores(scorer: Scorer, histories: readonly Int32Array[]): Promise<Scores[]> {
  if (scorer.scoreMany) return scorer.scoreMany(histories);
  const out: Scores[] = [];
  for (const h of histories) out.push(await scorer.score(h));
  return out;
}

/** Runs protocol v2 for every user: after each of their first min(n - 1, 50) clicks, is the next one in the top 10? */
export async function evaluatePrequential(scorer: Scorer, users: readonly UserPositives[], maxSteps: number = PREQUENTIAL.maxSteps): Promise<PrequentialResults> {
  return (await evaluatePrequentialAll([scorer], users, maxSteps))[0]!;
}

/** Time spent per scorer in a joint pass: `clock()` before and after each scorer's turn, summed into `spent` (aligned with the scorers). */
export interface ScorerClock {
  readonly clock: () => number;
  readonly spent: number[];
}

/**
 * `evaluatePrequential` for several scorers in one pass over the users: each user's
 * prefixes are built once and handed to every scorer as the same array, so scorers
 * that share work per user (a blend's weights, a blend and its components) can reuse it.
 */
export async function evaluatePrequentialAll(
  scorers: readonly Scorer[],
  users: readonly UserPositives[],
  maxSteps: number = PREQUENTIAL.maxSteps,
  timing?: ScorerClock,
): Promise<PrequentialResults[]> {
  const out = scorers.map((): PrequentialResults => ({ hr10: [], mrr10: [], hitsByStep: new Map() }));
  for (const u of users) {
    const steps = prequentialSteps(u, maxSteps);
    if (steps.length === 0) continue;
    const histories = steps.map((s) => s.history);
    for (const [i, scorer] of scorers.entries()) {
      const t0 = timing?.clock();
      const { hr10, mrr10, hitsByStep } = out[i]!;
      const scores = await prefixScores(scorer, histories);
      let hits = 0;
      let rr = 0;
      steps.forEach((step, j) => {
        const m = prequentialMetrics(scores[j]!, step);
        hits += m.hit;
        rr += m.rr;
        let list = hitsByStep.get(step.t);
        if (!list) hitsByStep.set(step.t, (list = []));
        list.push(m.hit);
      });
      hr10.push(hits / steps.length);
      mrr10.push(rr / steps.length);
      if (timing) timing.spent[i] = (timing.spent[i] ?? 0) + timing.clock() - t0!;
    }
  }
  return out;
}

const meanHr10 = ({ hr10 }: PrequentialResults): number => (hr10.length ? hr10.reduce((a, b) => a + b, 0) / hr10.length : 0);

/** Protocol v2's tuning objective: mean validation HR@10 over users (each the mean over their steps). */
export function prequentialObjective(maxSteps: number = PREQUENTIAL.maxSteps): Objective {
  return {
    name: `mean validation HR@10 of the next click (protocol v2, up to ${maxSteps} steps per user)`,
    protocol: 'v2',
    score: async (scorer, users) => meanHr10(await evaluatePrequential(scorer, users, maxSteps)),
    scoreAll: async (scorers, users) => (await evaluatePrequentialAll(scorers, users, maxSteps)).map(meanHr10),
  };
}
