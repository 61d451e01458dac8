import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import {
  episodeMetrics,
  exclusionMask,
  hitAt,
  meanWithInterval,
  ndcgAt,
  rankOf,
  recallAt,
  reciprocalRank,
  topN,
} from '../../../src/protocol/metrics';

const ranked = (...xs: number[]) => Int32Array.from(xs);

describe('topN', () => {
  it('orders by descending score with ties in catalog order', () => {
    const s = Float64Array.from([1, 3, 3, 0, 3, 2]);
    expect([...topN(s, 4)]).toEqual([1, 2, 4, 5]);
    expect([...topN(s, 10)]).toEqual([1, 2, 4, 5, 0, 3]);
  });

  it('skips excluded items and ranks NaN last', () => {
    const s = Float32Array.from([NaN, 5, 4, 4]);
    expect([...topN(s, 3, exclusionMask(4, [1]))]).toEqual([2, 3, 0]);
  });

  it('keeps all-equal scores in catalog order', () => {
    expect([...topN(new Float64Array(30), 20)]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('agrees with a full sort on random scores with many ties', () => {
    const s = Float64Array.from({ length: 500 }, (_, i) => ((i * 7919) % 13) / 4);
    const full = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, 20);
    expect([...topN(s, 20)]).toEqual(full);
  });
});

describe('nDCG@10', () => {
  it('is 1 for a perfect ranking and uses binary gains', () => {
    expect(ndcgAt(ranked(4, 2, 9), new Set([4, 2]))).toBeCloseTo(1, 12);
  });

  it('counts min(|query|, 10) hits in the ideal DCG', () => {
    // Query of 2, one hit at rank 2: (1/log2 3) / (1 + 1/log2 3).
    const r = ranked(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(ndcgAt(r, new Set([1, 42]))).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    // Query of 12, hits at ranks 1 and 10: the ideal has 10 hits, not 12.
    const q = new Set([0, 9, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    let idcg = 0;
    for (let r2 = 1; r2 <= 10; r2++) idcg += 1 / Math.log2(r2 + 1);
    expect(ndcgAt(r, q)).toBeCloseTo((1 + 1 / Math.log2(11)) / idcg, 12);
  });

  it('ignores hits below rank 10', () => {
    const r = ranked(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    expect(ndcgAt(r, new Set([10]))).toBe(0);
  });
});

describe('Recall@20', () => {
  it('divides by min(|query|, 20)', () => {
    const r = Int32Array.from({ length: 20 }, (_, i) => i);
    expect(recallAt(r, new Set([0, 5, 99]))).toBeCloseTo(2 / 3, 12);
    const big = new Set(Array.from({ length: 30 }, (_, i) => i + 10)); // 10 of them in the top 20
    expect(recallAt(r, big)).toBeCloseTo(10 / 20, 12);
  });
});

describe('intervals and prequential helpers', () => {
  it('uses the sample standard deviation', () => {
    const { mean, ci, n } = meanWithInterval([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(n).toBe(4);
    expect(ci).toBeCloseTo((1.96 * Math.sqrt(5 / 3)) / 2, 12);
    expect(meanWithInterval([0.3])).toEqual({ mean: 0.3, ci: 0, n: 1 });
  });

  it('ranks a target with ties in catalog order, skipping excluded items', () => {
    const s = Float64Array.from([2, 5, 2, 2, 1]);
    expect(rankOf(s, 2)).toBe(3); // behind 1 (higher) and 0 (equal, earlier)
    expect(rankOf(s, 2, exclusionMask(5, [1]))).toBe(2);
    expect(hitAt(3, 3)).toBe(1);
    expect(hitAt(4, 3)).toBe(0);
    expect(reciprocalRank(4)).toBe(0.25);
  });

  it('computes an episode from full scores, never ranking the support', () => {
    const s = Float64Array.from([9, 8, 7, 6, 5]);
    const m = episodeMetrics(s, Int32Array.from([0]), Int32Array.from([1, 3]));
    const idcg = 1 + 1 / Math.log2(3);
    expect(m.ndcg10).toBeCloseTo((1 + 1 / Math.log2(4)) / idcg, 12);
    expect(m.recall20).toBe(1);
  });
});

describe('rankOf', () => {
  // The protocol's rule, written plainly: descending score, ties in catalog order, NaN last.
  const naive = (scores: ArrayLike<number>, target: number, excluded?: Uint8Array): number => {
    const clean = (s: number) => (Number.isNaN(s) ? -Infinity : s);
    let rank = 1;
    for (let i = 0; i < scores.length; i++) {
      if (i === target || excluded?.[i]) continue;
      if (clean(scores[i]!) > clean(scores[target]!) || (clean(scores[i]!) === clean(scores[target]!) && i < target)) rank++;
    }
    return rank;
  };
  it('follows the rule on rows full of ties, NaN, infinities and exclusions, in float32 and float64', () => {
    const rng = createRng('rank-of');
    const palette = [0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2];
    for (let trial = 0; trial < 600; trial++) {
      const n = 1 + rng.int(50);
      const values = Array.from({ length: n }, () => palette[rng.int(palette.length)]!);
      const target = rng.int(n);
      const mask = rng.next() < 0.5 ? undefined : exclusionMask(n, Array.from({ length: rng.int(5) }, () => rng.int(n)));
      for (const scores of [Float32Array.from(values), Float64Array.from(values)]) expect(rankOf(scores, target, mask)).toBe(naive(scores, target, mask));
    }
  });
});
