import { hitAt, reciprocalRank } from '../protocol/metrics';
import type { SessionMetrics } from './messages';

/** Top-k cut-off of the running hit rate. */
export const HIT_K = 10;

export const EMPTY_METRICS: SessionMetrics = { clicks: 0, hr10: 0, mrr: 0, lastRank: null };

/**
 * Adds one prequential observation: `rank` is the 1-based rank the clicked item
 * had under the model BEFORE adapting on the click (protocol/metrics' rankOf:
 * the benchmark's tie rule). Running means, no history kept.
 */
export function addClickRank(metrics: SessionMetrics, rank: number): SessionMetrics {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`Prequential rank must be a positive integer, got ${rank}.`);
  const n = metrics.clicks + 1;
  return {
    clicks: n,
    hr10: metrics.hr10 + (hitAt(rank, HIT_K) - metrics.hr10) / n,
    mrr: metrics.mrr + (reciprocalRank(rank) - metrics.mrr) / n,
    lastRank: rank,
  };
}
