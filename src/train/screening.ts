// Screening a grid on part of the validation users before validating its best on all
// of them (one round of successive halving): a grid trial costs a full validation,
// and on a large catalog validating every next click of every validation user is
// what a training run spends most of its time on. The choice is still made on the
// validation users, by the full objective, among the candidates the screen keeps.
import { createRng } from '../math/rng';

/** Share of the validation users a screen scores. */
export const SCREEN_SHARE = 1 / 3;
/** Fewest users a screen scores: below it (fewer than 150 validation users) a grid is validated whole, as before screening. */
export const SCREEN_MIN_USERS = 50;
/** Candidates the screen keeps for the full validation. */
export const SCREEN_KEEP = 3;

/** A seeded third of the validation users, in protocol order; undefined when that third would be under SCREEN_MIN_USERS. */
export function screeningUsers<U>(users: readonly U[], seed: number): readonly U[] | undefined {
  const n = Math.floor(users.length * SCREEN_SHARE);
  if (n < SCREEN_MIN_USERS) return undefined;
  const keep = createRng(`${seed}:screening`).sample(users.length, n).sort((a, b) => a - b);
  return keep.map((i) => users[i]!);
}

/** One screened candidate and its score on the screening users. */
export interface Screened<C> {
  readonly candidate: C;
  readonly score: number;
}

/**
 * Scores `candidates` in order with `screen` (undefined: out of time, the rest
 * go unscreened) and returns the SCREEN_KEEP best in their given order (on a
 * tie, the earlier one), with every screen score.
 */
export async function screenCandidates<C>(candidates: readonly C[], screen: (c: C) => Promise<number | undefined>): Promise<{ kept: C[]; scores: Screened<C>[] }> {
  const scores: Screened<C>[] = [];
  for (const candidate of candidates) {
    const score = await screen(candidate);
    if (score === undefined) break;
    scores.push({ candidate, score });
  }
  // Array.prototype.sort is stable: equal scores keep the grid's order.
  const best = new Set([...scores].sort((a, b) => b.score - a.score).slice(0, SCREEN_KEEP).map((s) => s.candidate));
  return { kept: candidates.filter((c) => best.has(c)), scores };
}
