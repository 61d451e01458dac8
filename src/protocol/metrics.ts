// Pure ranking metrics of the benchmark protocol; no DOM or tfjs, so the browser
// worker's live HR@10/MRR use the same rank and tie rule as the benchmark.
import { topK } from '../math/top-k';
import type { Scores } from './types';

/** A score that ranks last: NaN would otherwise compare false both ways and break the order. */
function clean(s: number): number {
  return Number.isNaN(s) ? -Infinity : s;
}

/** Marks the given catalog indices in a mask of catalogSize entries (1 = excluded). */
export function exclusionMask(catalogSize: number, excluded: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(catalogSize);
  for (let i = 0; i < excluded.length; i++) mask[excluded[i]!] = 1;
  return mask;
}

/** The n best candidates (catalog indices) by descending score, equal scores in catalog order, NaN last. */
export function topN(scores: Scores, n: number, excluded?: Uint8Array): Int32Array {
  return topK(scores, n, excluded).indices;
}

/** Ideal DCG of binary relevance with `hits` relevant items at the top. */
function idcg(hits: number): number {
  let sum = 0;
  for (let r = 0; r < hits; r++) sum += 1 / Math.log2(r + 2);
  return sum;
}

/** nDCG@cutoff with binary relevance; the ideal DCG counts min(|query|, cutoff) hits. */
export function ndcgAt(ranked: Int32Array, query: ReadonlySet<number>, cutoff = 10): number {
  if (query.size === 0) throw new Error('nDCG of an empty query is undefined: skip episodes with no remaining positives');
  let dcg = 0;
  const n = Math.min(cutoff, ranked.length);
  for (let r = 0; r < n; r++) if (query.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  return dcg / idcg(Math.min(query.size, cutoff));
}

/** Recall@cutoff = hits in the top `cutoff` / min(|query|, cutoff). */
export function recallAt(ranked: Int32Array, query: ReadonlySet<number>, cutoff = 20): number {
  if (query.size === 0) throw new Error('Recall of an empty query is undefined: skip episodes with no remaining positives');
  let hits = 0;
  const n = Math.min(cutoff, ranked.length);
  for (let r = 0; r < n; r++) if (query.has(ranked[r]!)) hits++;
  return hits / Math.min(query.size, cutoff);
}

/**
 * 1-based rank of `target` among the candidates, by the protocol's rule: descending
 * score, equal scores in catalog order (NaN last). No sort: one pass.
 */
export function rankOf(scores: Scores, target: number, excluded?: Uint8Array): number {
  if (!(target >= 0 && target < scores.length)) throw new Error(`Item index ${target} is outside the ${scores.length} scores.`);
  const t = clean(scores[target]!);
  if (Number.isFinite(t)) return rankAgainstFinite(scores, target, t, excluded);
  let rank = 1;
  for (let i = 0; i < scores.length; i++) {
    if (i === target || (excluded && excluded[i])) continue;
    const s = clean(scores[i]!);
    if (s > t || (s === t && i < target)) rank++;
  }
  return rank;
}

/**
 * rankOf when the target's score `t` is finite: NaN and -Infinity then never
 * outrank it (`clean` changes no comparison), and the tie rule is `≥` before
 * the target and `>` after it. The mask is read only for items that outrank:
 * protocol v2 ranks every prefix of every user, and this scan is its cost.
 */
function rankAgainstFinite(scores: Scores, target: number, t: number, excluded?: Uint8Array): number {
  let rank = 1;
  const n = scores.length;
  for (let i = 0; i < target; i++) if (scores[i]! >= t && !excluded?.[i]) rank++;
  for (let i = target + 1; i < n; i++) if (scores[i]! > t && !excluded?.[i]) rank++;
  return rank;
}

/** HR@k of one prediction: 1 when the target ranks within the top k, else 0. */
export function hitAt(rank: number, k: number): number {
  return rank <= k ? 1 : 0;
}

/** Reciprocal rank of one prediction (1 / rank); its mean over predictions is the MRR. */
export function reciprocalRank(rank: number): number {
  return 1 / rank;
}

/** Mean and 95% half-width 1.96 * s / sqrt(n) with the sample standard deviation (0 when n < 2). */
export function meanWithInterval(values: ArrayLike<number>): { mean: number; ci: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, ci: 0, n: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n < 2) return { mean, ci: 0, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { mean, ci: (1.96 * Math.sqrt(ss / (n - 1))) / Math.sqrt(n), n };
}

/** nDCG@10 and Recall@20 of one episode from full-catalog scores. */
export function episodeMetrics(scores: Scores, support: Int32Array, query: Int32Array): { ndcg10: number; recall20: number } {
  const ranked = topN(scores, 20, exclusionMask(scores.length, support));
  const q = new Set(query);
  return { ndcg10: ndcgAt(ranked, q, 10), recall20: recallAt(ranked, q, 20) };
}
