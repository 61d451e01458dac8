import { describe, expect, it } from 'vitest';
import { PROXY_MIN_VALIDATION_USERS, PROXY_TRAINING_USERS, proxyTrainingUsers, proxyValidationUsers } from '../../../src/train/vocabulary';

const users = (n: number): Int32Array[] => Array.from({ length: n }, (_, u) => Int32Array.of(u % 7, 7 + (u % 5)));

describe("the vocabulary proxy's training users", () => {
  it('are every training user up to the cap (MovieLens 100K, Last.fm and the fixtures choose as before)', () => {
    const train = users(1892);
    expect(proxyTrainingUsers(train, 1)).toBe(train);
    expect(PROXY_TRAINING_USERS).toBeGreaterThanOrEqual(1892);
  });

  it('are a seeded subset of the cap size beyond it, in protocol order, the same for the same seed', () => {
    const train: readonly Int32Array[] = users(500);
    const a = proxyTrainingUsers(train, 1, 100);
    expect(a).toHaveLength(100);
    const at = a.map((u) => train.indexOf(u as Int32Array<ArrayBuffer>));
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(new Set(at).size).toBe(100);
    expect(proxyTrainingUsers(train, 1, 100)).toEqual(a);
    expect(proxyTrainingUsers(train, 2, 100).map((u) => train.indexOf(u))).not.toEqual(at);
  });

  it('score on every validation user of a MovieLens-sized catalog, and on a seeded 100 at 100,000 items', () => {
    const validation = Array.from({ length: 400 }, (_, u) => ({ user: `v${u}` }));
    expect(proxyValidationUsers(validation, 1682, 1)).toBe(validation);
    expect(proxyValidationUsers(validation, 17_632, 1)).toBe(validation);
    const few = proxyValidationUsers(validation, 100_000, 1);
    expect(few).toHaveLength(100);
    expect(proxyValidationUsers(validation, 100_000, 1)).toEqual(few);
    expect(proxyValidationUsers(validation, 10_000_000, 1)).toHaveLength(PROXY_MIN_VALIDATION_USERS);
  });
});
