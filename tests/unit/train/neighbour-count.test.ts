import { describe, expect, it } from 'vitest';
import { neighbourRow } from '../../../src/core/neighbours';
import { pickCount, searchCount, truncateNeighbours } from '../../../src/train/neighbour-count';

describe('neighbour count', () => {
  it('keeps the smallest count within the tolerance of the best validation score', () => {
    const trials = [
      { count: 50, validation: 0.5 },
      { count: 10, validation: 0.49 },
      { count: 20, validation: 0.4976 },
    ];
    expect(pickCount(trials, 0.005)).toBe(20);
    expect(pickCount(trials, 0.03)).toBe(10);
    expect(pickCount(trials, 0)).toBe(50);
  });

  it('truncates every list to its most similar entries', () => {
    const nb = { m: 3, ids: Int32Array.of(1, 2, -1, 0, 2, 3, 3, -1, -1, 0, 1, 2), sims: Float32Array.of(0.9, 0.5, 0, 0.8, 0.7, 0.1, 0.6, 0, 0, 0.4, 0.3, 0.2) };
    const two = truncateNeighbours(nb, 2);
    expect(two.m).toBe(2);
    expect(Array.from(two.ids)).toEqual([1, 2, 0, 2, 3, -1, 0, 1]);
    expect(Array.from(neighbourRow(two, Int32Array.of(1), new Float32Array(4)))).toEqual([Math.fround(0.8), 0, Math.fround(0.7), 0]);
    expect(truncateNeighbours(nb, 5)).toBe(nb);
  });
});

describe('the neighbour-count choice under a time budget', () => {
  /** A count search whose every validation takes `ms` of a fake clock; returns what it validated. */
  function timedSearch(ms: number, scores: Record<number, number>) {
    let clock = 0;
    const validated: number[] = [];
    const score = async (count: number) => {
      validated.push(count);
      clock += ms;
      return scores[count]!;
    };
    return { score, validated, now: () => clock, advance: (t: number) => (clock += t) };
  }

  it('reuses the score the run already has for the lists as they are, validating only the smaller counts', async () => {
    const t = timedSearch(10, { 10: 0.49, 20: 0.4976 });
    const result = await searchCount(50, t.score, { counts: [10, 20, 50], known: 0.5, now: t.now });
    expect(t.validated).toEqual([10, 20]);
    expect(result).toEqual({ count: 20, trials: [{ count: 10, validation: 0.49 }, { count: 20, validation: 0.4976 }, { count: 50, validation: 0.5 }] });
  });

  it('starts no trial that cannot end within the budget, and records the counts it left untried', async () => {
    const t = timedSearch(100, { 10: 0.5, 20: 0.5 });
    // 150 ms left and validations of 100 ms: one fits, the second would end at 200 ms.
    const result = await searchCount(50, t.score, { counts: [10, 20, 50], known: 0.45, deadline: 150, validationMs: 100, now: t.now });
    expect(t.validated).toEqual([10]);
    expect(t.now()).toBeLessThanOrEqual(150);
    expect(result).toEqual({ count: 10, trials: [{ count: 10, validation: 0.5 }, { count: 50, validation: 0.45 }], skipped: [20], stoppedAfter: 1 });
  });

  it('past its deadline validates nothing and keeps the lists as they are, saying which counts it skipped', async () => {
    const t = timedSearch(100, {});
    t.advance(1000);
    const result = await searchCount(50, t.score, { counts: [10, 20, 50], known: 0.45, deadline: 900, validationMs: 100, now: t.now });
    expect(t.validated).toEqual([]);
    expect(result).toEqual({ count: 50, trials: [{ count: 50, validation: 0.45 }], skipped: [10, 20], stoppedAfter: 0 });
  });

  it('judges the next trial by the time the last one took', async () => {
    const t = timedSearch(300, { 10: 0.5, 20: 0.5 });
    // The run's estimate (100 ms) lets the first trial start; it takes 300 ms, so the second (to end at 600 > 500) does not.
    const result = await searchCount(50, t.score, { counts: [10, 20, 50], known: 0.4, deadline: 500, validationMs: 100, now: t.now });
    expect(t.validated).toEqual([10]);
    expect(result.skipped).toEqual([20]);
  });
});
