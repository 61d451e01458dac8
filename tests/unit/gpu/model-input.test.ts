import { describe, expect, it } from 'vitest';
import { encodeItemLists, listRow } from '../../../src/core/item-lists';
import { fixedLists } from '../../../src/gpu/model-input';
import { createRng } from '../../../src/math/rng';

describe('fixedLists', () => {
  it('decodes format v2 lists to m entries a row: each row\'s entries in item order, padded with its own index at weight 0', () => {
    const rng = createRng('fixed-lists');
    const [rows, items] = [120, 5000];
    const source = Array.from({ length: rows }, (_, r) => {
      const ids = new Set<number>();
      const count = r % 5 === 0 ? 0 : 1 + rng.int(9);
      while (ids.size < count) ids.add(rng.int(items));
      return { ids: [...ids], weights: [...ids].map(() => 0.05 + rng.next()) };
    });
    const lists = encodeItemLists(rows, items, (r) => source[r]!);
    const { m, ids, sims } = fixedLists(lists);
    expect(m).toBe(Math.max(...source.map((row) => row.ids.length)));
    for (let r = 0; r < rows; r++) {
      const want = listRow(lists, r);
      const pad = m - want.ids.length;
      expect(Array.from(ids.subarray(r * m, (r + 1) * m))).toEqual([...want.ids, ...Array<number>(pad).fill(r)]);
      expect(Array.from(sims.subarray(r * m, (r + 1) * m))).toEqual([...want.weights.map(Math.fround), ...Array<number>(pad).fill(0)]);
    }
  });

  it('hands fixed lists through as they are', () => {
    const lists = { m: 2, ids: Int32Array.of(1, 0, 0, 1), sims: Float32Array.of(0.5, 0, 0.25, 0) };
    expect(fixedLists(lists)).toBe(lists);
  });
});
