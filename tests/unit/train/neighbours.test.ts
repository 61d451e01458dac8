import { describe, expect, it } from 'vitest';
import { neighbourRow } from '../../../src/core/neighbours';
import { createRng } from '../../../src/math/rng';
import { buildNeighbours, leaveOneOutRow } from '../../../src/train/neighbours';

const users = [Int32Array.of(0, 1, 2), Int32Array.of(0, 1), Int32Array.of(1, 2, 3), Int32Array.of(3, 4)];

describe('item-item neighbours', () => {
  it('keeps the top-m cosine neighbours of every item', () => {
    const nb = buildNeighbours(users, 6, 2, 0);
    // item 1: users {0,1,2}; co-counts with 0: 2 (|U0|=2), with 2: 2 (|U2|=2), with 3: 1 (|U3|=2)
    expect(Array.from(nb.ids.subarray(2, 4))).toEqual([0, 2]);
    expect(nb.sims[2]).toBeCloseTo(2 / Math.sqrt(3 * 2), 6);
    expect(nb.sims[3]).toBeCloseTo(2 / Math.sqrt(3 * 2), 6);
    // item 5 has no users: no neighbours
    expect(Array.from(nb.ids.subarray(10, 12))).toEqual([-1, -1]);
    expect(nb.co[2]).toBe(2);
    // shrinkage: co-occurrences over sqrt(|U_i| |U_j|) + shrink
    const shrunk = buildNeighbours(users, 6, 5, 10);
    expect(shrunk.ids[5]).toBe(0);
    expect(shrunk.sims[5]).toBeCloseTo(2 / (Math.sqrt(6) + 10), 6);
  });

  it('gives a new visitor the mean similarity to their clicks', () => {
    const nb = buildNeighbours(users, 6, 5, 0);
    const row = neighbourRow(nb, Int32Array.of(0, 4), new Float32Array(6));
    // sim(0,1) = 2/sqrt(2*3), sim(0,2) = 1/sqrt(2*2), sim(4,3) = 1/sqrt(1*2)
    expect(row[1]).toBeCloseTo((2 / Math.sqrt(6)) / 2, 6);
    expect(row[2]).toBeCloseTo(0.5 / 2, 6);
    expect(row[3]).toBeCloseTo(1 / Math.sqrt(2) / 2, 6);
    expect(row[0]).toBe(0);
  });

  it('takes a training user out of the similarities their own row uses (leave-one-out)', () => {
    const rng = createRng(3);
    const items = 30;
    const train = Array.from({ length: 40 }, () => Int32Array.from(new Set(Array.from({ length: 8 }, () => rng.int(items)))));
    for (const [u, shrink] of [[0, 0], [7, 0], [19, 10]] as const) {
      const all = buildNeighbours(train, items, items, shrink);
      const support = train[u]!.subarray(0, 3);
      const loo = leaveOneOutRow(all, support, new Set(train[u]!), new Float32Array(items));
      const without = buildNeighbours(train.filter((_, v) => v !== u), items, items, shrink);
      const expected = neighbourRow(without, support, new Float32Array(items));
      for (let i = 0; i < items; i++) expect(loo[i]).toBeCloseTo(expected[i]!, 5);
    }
  });
});
