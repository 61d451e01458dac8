import { describe, expect, it } from 'vitest';
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { fnv1a32, userBucket } from '../../../src/protocol/fnv';
import { buildCatalog, buildFold, prepareData, userRole } from '../../../src/protocol/data';
import { makeEpisode } from '../../../src/protocol/episodes';

const ds = (interactions: Interaction[], hasRatings: boolean): Dataset => ({
  name: 'tiny',
  interactions,
  items: [{ id: 'b', title: 'B', tags: ['x'] }],
  hasRatings,
  hasTimestamps: interactions.some((r) => r.timestamp !== undefined),
});

describe('catalog', () => {
  it('holds every distinct item in ascending UTF-16 order, whatever the rating', () => {
    const d = ds(
      [
        { user: 'u', item: 'b', rating: 1 },
        { user: 'u', item: '10', rating: 5 },
        { user: 'v', item: '2', rating: 5 },
        { user: 'v', item: 'B', rating: 5 },
        { user: 'v', item: 'b', rating: 5 },
      ],
      true,
    );
    expect(buildCatalog(d)).toEqual(['10', '2', 'B', 'b']);
  });
});

describe('positives', () => {
  it('applies the threshold to rated data and keeps the earliest of repeated pairs', () => {
    const d = ds(
      [
        { user: 'u', item: 'a', rating: 5, timestamp: 30 },
        { user: 'u', item: 'b', rating: 3, timestamp: 1 }, // below threshold 4
        { user: 'u', item: 'c', rating: 4, timestamp: 20 },
        { user: 'u', item: 'a', rating: 4, timestamp: 10 }, // repeat: earliest timestamp wins
        { user: 'u', item: 'b', rating: 4, timestamp: 40 }, // a later positive of b counts at 40
      ],
      true,
    );
    const p = prepareData(d, 4);
    expect(p.catalog).toEqual(['a', 'b', 'c']);
    expect(p.users).toHaveLength(1);
    expect([...p.users[0]!.items].map((i) => p.catalog[i])).toEqual(['a', 'c', 'b']);
    expect(p.positives).toBe('rating >= 4');
    expect(p.content[1]?.title).toBe('B');
    expect(p.content[0]).toBeUndefined();
  });

  it('drops users without positives and counts every interaction when there are no ratings', () => {
    const d = ds(
      [
        { user: 'u', item: 'a', rating: 1 },
        { user: 'v', item: 'a', rating: 5 },
      ],
      true,
    );
    expect(prepareData(d, 4).users.map((u) => u.user)).toEqual(['v']);
    const implicit = ds([{ user: 'u', item: 'a' }, { user: 'u', item: 'b' }], false);
    expect(prepareData(implicit, 4).users[0]!.items).toHaveLength(2);
  });

  it('orders by (timestamp, fnv1a32(user:item)); a missing timestamp counts as 0', () => {
    const items = ['242', '302', '377', '51', '86', '1014'];
    const d = ds([...items.map((item) => ({ user: '196', item })), { user: '196', item: 'late', timestamp: 5 }], false);
    const p = prepareData(d);
    const got = [...p.users[0]!.items].map((i) => p.catalog[i]);
    const byHash = [...items].sort((a, b) => fnv1a32(`196:${a}`) - fnv1a32(`196:${b}`));
    expect(got).toEqual([...byHash, 'late']);
  });
});

describe('folds', () => {
  it('puts buckets {2f, 2f+1} in test, (2f+2) % 10 in validation, the rest in training', () => {
    expect(userBucket('196')).toBe(7);
    expect(userRole('196', 3)).toBe('test');
    expect(userRole('196', 0)).toBe('train');
    for (let f = 0; f < 5; f++) {
      for (let u = 0; u < 200; u++) {
        const b = userBucket(String(u));
        const want = b === 2 * f || b === 2 * f + 1 ? 'test' : b === (2 * f + 2) % 10 ? 'validation' : 'train';
        expect(userRole(String(u), f)).toBe(want);
      }
    }
  });

  it('keeps evaluated users with >= minPositives and every training user', () => {
    const interactions: Interaction[] = [];
    for (let u = 0; u < 100; u++) {
      const n = u % 2 === 0 ? 30 : 3;
      for (let i = 0; i < n; i++) interactions.push({ user: `u${u}`, item: `i${(u + i) % 40}` });
    }
    const p = prepareData(ds(interactions, false));
    const seen = new Map<string, number>();
    for (let f = 0; f < 5; f++) {
      const fold = buildFold(p, f, 25);
      for (const u of fold.test) seen.set(u.user, (seen.get(u.user) ?? 0) + 1);
      expect(fold.test.every((u) => u.items.length >= 25 && userRole(u.user, f) === 'test')).toBe(true);
      expect(fold.validation.every((u) => u.items.length >= 25 && userRole(u.user, f) === 'validation')).toBe(true);
      expect(fold.train.every((u) => userRole(u.user, f) === 'train')).toBe(true);
      expect(fold.train.some((u) => u.items.length < 25)).toBe(true);
    }
    // Every user with enough positives is a test user in exactly one fold.
    expect(seen.size).toBe(50);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(() => buildFold(p, 5)).toThrow(/Fold 5 is out of range/);
  });

  it('makes episodes: first k positives as support, the rest as query', () => {
    const u = { user: 'x', items: Int32Array.from([5, 4, 3, 2]) };
    const ep = makeEpisode(u, 1)!;
    expect([...ep.support]).toEqual([5]);
    expect([...ep.query]).toEqual([4, 3, 2]);
    expect(makeEpisode(u, 4)).toBeNull();
  });
});
