import { describe, expect, it } from 'vitest';
import { arrayCatalog } from '../../../src/artifact';
import { eventsToFeedback, clickedSet } from '../../../src/worker/feedback';
import { exclusionMask, rankOf } from '../../../src/protocol/metrics';
import { addClickRank, EMPTY_METRICS } from '../../../src/worker/metrics';

const index = arrayCatalog(['a', 'b', 'c', 'd'].map((id) => ({ id, title: id, tags: [] })));

describe('eventsToFeedback', () => {
  it('keeps clicks in order with repeats and impressions as negatives once', () => {
    const fb = eventsToFeedback(
      [
        { type: 'impression', itemId: 'b' },
        { type: 'click', itemId: 'a' },
        { type: 'impression', itemId: 'b' },
        { type: 'click', itemId: 'c' },
        { type: 'click', itemId: 'a' },
      ],
      index,
    );
    expect([...fb.clicks]).toEqual([0, 2, 0]);
    expect([...fb.negatives]).toEqual([1]);
    expect([...clickedSet(fb)]).toEqual([0, 2]);
  });

  it('does not count an item as negative once it was clicked, shown before or after', () => {
    const fb = eventsToFeedback(
      [
        { type: 'impression', itemId: 'a' },
        { type: 'click', itemId: 'a' },
        { type: 'impression', itemId: 'a' },
      ],
      index,
    );
    expect([...fb.negatives]).toEqual([]);
  });

  it('maps high ratings to clicks, low ones to negatives and ignores middling ones', () => {
    const fb = eventsToFeedback(
      [
        { type: 'rating', itemId: 'a', value: 5 },
        { type: 'rating', itemId: 'b', value: 1 },
        { type: 'rating', itemId: 'c', value: 3 },
      ],
      index,
    );
    expect([...fb.clicks]).toEqual([0]);
    expect([...fb.negatives]).toEqual([1]);
  });

  it('skips and reports items missing from the catalog', () => {
    const fb = eventsToFeedback([{ type: 'click', itemId: 'gone' }, { type: 'click', itemId: 'd' }], index);
    expect([...fb.clicks]).toEqual([3]);
    expect(fb.unknown).toEqual(['gone']);
  });
});

describe('prequential metrics', () => {
  it('ranks a click as the benchmark does: equal scores in catalog order, excluded items skipped', () => {
    const scores = new Float32Array([0.5, 0.9, 0.5, 0.1]);
    expect(rankOf(scores, 1)).toBe(1);
    // Tied with item 0, which comes first in the catalog: third, as the benchmark ranks it.
    expect(rankOf(scores, 2)).toBe(3);
    expect(rankOf(scores, 0)).toBe(2);
    expect(rankOf(scores, 2, exclusionMask(4, [1]))).toBe(2);
    expect(() => rankOf(scores, 7)).toThrow('Item index 7 is outside the 4 scores');
  });

  it('keeps running HR@10 and MRR', () => {
    let m = EMPTY_METRICS;
    m = addClickRank(m, 1);
    m = addClickRank(m, 20);
    m = addClickRank(m, 4);
    expect(m.clicks).toBe(3);
    expect(m.hr10).toBeCloseTo(2 / 3, 10);
    expect(m.mrr).toBeCloseTo((1 + 1 / 20 + 1 / 4) / 3, 10);
    expect(m.lastRank).toBe(4);
    expect(() => addClickRank(m, 0)).toThrow('positive integer, got 0');
  });
});
