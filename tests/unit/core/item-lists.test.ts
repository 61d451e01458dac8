import { describe, expect, it } from 'vitest';
import { encodeItemLists, forEachEntry, indexItemLists, listRow, maxRowLength, meanListRow, WEIGHT_MAX } from '../../../src/core/item-lists';
import { neighbourRow } from '../../../src/core/neighbours';
import { createRng } from '../../../src/math/rng';

/** Random lists over a catalog of `items`: some rows empty, ids spread over the whole range (multi-byte gaps). */
function randomLists(rows: number, items: number, m: number) {
  const rng = createRng(`lists-${rows}-${items}`);
  return Array.from({ length: rows }, (_, r) => {
    const ids = new Set<number>();
    const count = r % 9 === 0 ? 0 : 1 + rng.int(m);
    while (ids.size < count) ids.add(rng.int(items));
    return { ids: [...ids], weights: [...ids].map(() => 0.01 + rng.next()) };
  });
}

describe('item lists', () => {
  it('round-trip every row: items sorted, weights within half a code step', () => {
    const rows = randomLists(300, 200_000, 40);
    const lists = encodeItemLists(rows.length, 200_000, (r) => rows[r]!);
    const max = Math.max(...rows.flatMap((r) => r.weights));
    expect(lists.scale).toBeCloseTo(max / WEIGHT_MAX, 6);
    rows.forEach((row, r) => {
      const got = listRow(lists, r);
      const want = row.ids.map((id, e) => ({ id, w: row.weights[e]! })).sort((a, b) => a.id - b.id);
      expect(got.ids).toEqual(want.map((x) => x.id));
      got.weights.forEach((w, e) => expect(Math.abs(w - want[e]!.w)).toBeLessThanOrEqual(lists.scale / 2 + 1e-7));
    });
  });

  it('walk every entry in row order as forEachInRow reads each row, and know the longest row from the counts', () => {
    const rows = randomLists(300, 200_000, 40);
    // A row of 200 entries: its count takes two varint bytes.
    rows[17] = { ids: Array.from({ length: 200 }, (_, e) => 1000 * e + 3), weights: Array.from({ length: 200 }, (_, e) => 1 + (e % 7)) };
    const lists = encodeItemLists(rows.length, 200_000, (r) => rows[r]!);
    const walked = rows.map(() => ({ ids: [] as number[], weights: [] as number[] }));
    let previous = -1;
    forEachEntry(lists, (item, weight, r) => {
      expect(r).toBeGreaterThanOrEqual(previous);
      previous = r;
      walked[r]!.ids.push(item);
      walked[r]!.weights.push(weight);
    });
    rows.forEach((_, r) => expect(walked[r]).toEqual(listRow(lists, r)));
    expect(maxRowLength(lists)).toBe(200);
    expect(maxRowLength(encodeItemLists(2, 5, () => ({ ids: [], weights: [] })))).toBe(0);
  });

  it('keep the heaviest entries of a row and drop those that round to zero', () => {
    const lists = encodeItemLists(1, 10, () => ({ ids: [5, 1, 7, 3, 9], weights: [0.9, 1, 0.001, 0.5, 0.7] }), 3);
    expect(listRow(lists, 0).ids).toEqual([1, 5, 9]);
    const tiny = encodeItemLists(1, 10, () => ({ ids: [2, 4], weights: [1, 0.001] }));
    expect(listRow(tiny, 0).ids).toEqual([2]);
  });

  it('give the mean row of the clicked items, as the float neighbour lists do', () => {
    const items = 500;
    const rows = randomLists(items, items, 12);
    const lists = encodeItemLists(items, items, (r) => rows[r]!);
    // The float lists the encoded ones stand for: dequantized weights, padded to m.
    const m = 12;
    const ids = new Int32Array(items * m).fill(-1);
    const sims = new Float32Array(items * m);
    for (let r = 0; r < items; r++) listRow(lists, r).ids.forEach((id, e) => ((ids[r * m + e] = id), (sims[r * m + e] = listRow(lists, r).weights[e]!)));
    const clicks = Int32Array.of(3, 3, 77, 499, 250);
    const got = meanListRow(lists, clicks, new Float32Array(items));
    const want = neighbourRow({ m, ids, sims }, clicks, new Float32Array(items));
    for (let i = 0; i < items; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
    expect(got.some((v) => v > 0)).toBe(true);
  });

  it('refuse bytes that do not decode, naming the row', () => {
    const lists = encodeItemLists(3, 1000, () => ({ ids: [10, 900], weights: [1, 1] }));
    expect(() => indexItemLists(3, 500, lists.counts, lists.ids, lists.weights, lists.scale)).toThrow(/row 0 names item 900; the catalog has 500 items/);
    expect(() => indexItemLists(3, 1000, lists.counts, lists.ids.subarray(0, 5), lists.weights, lists.scale)).toThrow(/past the end/);
    expect(() => indexItemLists(3, 1000, lists.counts, lists.ids, lists.weights.subarray(1), lists.scale)).toThrow(/5 of 6 weights|6 of 5 weights/);
    expect(() => encodeItemLists(1, 10, () => ({ ids: [1, 1], weights: [1, 1] }))).toThrow(/distinct/);
    expect(() => encodeItemLists(1, 10, () => ({ ids: [1], weights: [Number.NaN] }))).toThrow(/weight NaN/);
  });
});
