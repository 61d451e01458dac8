// Protocol v1's episodes: what a method sees of a test user (the support) and what it is judged on (the query).
import type { UserPositives } from './types';

/** An episode: the first k positives are the support, all the rest the query. */
export interface Episode {
  readonly support: Int32Array;
  readonly query: Int32Array;
}

/** Splits a user's ordered positives at k; null when nothing is left to query. */
export function makeEpisode(user: UserPositives, k: number): Episode | null {
  if (user.items.length <= k) return null;
  return { support: user.items.subarray(0, k), query: user.items.subarray(k) };
}
