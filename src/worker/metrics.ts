import type { SessionMetrics } from './messages';

/** Top-k cut-off of the running hit rate. */
export const HIT_K = 10;

export const EMPTY_METRICS: SessionMetrics = { clicks: 0, hr10: 0, mrr: 0, lastRank: null };

/**
 * Adds one prequential observation: `rank` is the 1-based rank the clicked item
 * had under the model BEFORE adapting on the click. Running means, no history kept.
 */
export function addClickRank(metrics: SessionMetrics, rank: number): SessionMetrics {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`Prequential rank must be a positive integer, got ${rank}.`);
  const n = metrics.clicks + 1;
  const hit = rank <= HIT_K ? 1 : 0;
  return {
    clicks: n,
    hr10: metrics.hr10 + (hit - metrics.hr10) / n,
    mrr: metrics.mrr + (1 / rank - metrics.mrr) / n,
    lastRank: rank,
  };
}

/**
 * 1-based rank of `target` among `scores`, skipping `exclude`d indices. Ties
 * count against the target (pessimistic), so a constant model scores badly.
 */
export function rankOf(scores: Float32Array, target: number, exclude: ReadonlySet<number> = new Set()): number {
  const s = scores[target];
  if (s === undefined) throw new Error(`Item index ${target} is outside the ${scores.length} scores.`);
  let rank = 1;
  for (let i = 0; i < scores.length; i++) {
    if (i !== target && !exclude.has(i) && scores[i]! >= s) rank++;
  }
  return rank;
}
