import { describe, expect, it } from 'vitest';
import { neighbourRow } from '../../../src/core/neighbours';
import { pickCount, truncateNeighbours } from '../../../src/train/neighbour-count';

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
