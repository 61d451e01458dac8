import { describe, expect, it } from 'vitest';
import { neighbourRow } from '../../../src/core/neighbours';
import { createRng } from '../../../src/math/rng';
import { exclusionMask, rankOf } from '../../../src/protocol/metrics';
import { buildNeighbours } from '../../../src/train/neighbours';
import { ProxyRow } from '../../../src/train/proxy-row';

// The item-list proxy ranks each validation prefix on a sparse row it reuses
// (train/proxy-row): its rows and ranks must be the dense ones, bit for bit.
describe('ProxyRow', () => {
  it('rank equals rankOf on the dense row: targets on and off the row, ties with each other and with the zeros, negatives, NaN, exclusions', () => {
    const rng = createRng('proxy-row-rank');
    for (let trial = 0; trial < 500; trial++) {
      const n = 5 + rng.int(60);
      const row = new ProxyRow(n);
      const dense = new Float32Array(n);
      // Few distinct values, so that ties are common; 0 as an entry's value too.
      const palette = [0.5, 1, -1, 0.25, NaN, 2, 0];
      for (let e = rng.int(n); e > 0; e--) {
        const [i, v] = [rng.int(n), palette[rng.int(palette.length)]!];
        row.add(i, v);
        dense[i]! += v;
      }
      const target = rng.int(n);
      const excluded = Array.from({ length: rng.int(6) }, () => rng.int(n));
      expect(Array.from(row.values)).toEqual(Array.from(dense));
      expect(row.rank(target, excluded)).toBe(rankOf(dense, target, exclusionMask(n, excluded)));
      // Reused after clear(): the all-zero row, every item tied at 0.
      row.clear();
      expect(row.values.every((v) => v === 0)).toBe(true);
      expect(row.rank(target, [])).toBe(target + 1);
    }
  });

  it('builds neighbourRow\'s row of weighted clicks, and a weighted sum of two rows as a Float32Array adds it', () => {
    const rng = createRng('proxy-row-lists');
    const items = 40;
    const train = Array.from({ length: 60 }, () => Int32Array.from(new Set(Array.from({ length: 2 + rng.int(8) }, () => rng.int(items)))));
    const lists = buildNeighbours(train, items, 6, 10);
    const other = buildNeighbours(train, items, 3, 0);
    const [a, b] = [new ProxyRow(items), new ProxyRow(items)];
    for (let trial = 0; trial < 50; trial++) {
      const clicks = Int32Array.from({ length: 1 + rng.int(6) }, () => rng.int(items));
      const weights = Float64Array.from(clicks, () => rng.next());
      const w = 0.3 + rng.next();
      const dense = neighbourRow(lists, clicks, new Float32Array(items), weights);
      const seq = neighbourRow(other, clicks, new Float32Array(items), weights);
      a.addLists(lists, clicks, weights);
      expect(Array.from(a.values)).toEqual(Array.from(dense));
      for (let i = 0; i < items; i++) dense[i]! += w * seq[i]!;
      a.addScaled(b.addLists(other, clicks, weights), w);
      expect(Array.from(a.values)).toEqual(Array.from(dense));
      a.clear();
      b.clear();
    }
  });

  it('names a target outside the catalog', () => {
    expect(() => new ProxyRow(4).rank(4, [])).toThrow(/Item index 4 is outside the 4 scores/);
  });
});
