import { describe, expect, it } from 'vitest';
import { validationSubset, validationUserCap } from '../../../src/train/dataset-split';

describe('validation users a run keeps', () => {
  it('automatic (0): 2,000 up to 20,000 items, then as many as cost the same, never below 300', () => {
    expect(validationUserCap(0, 1_682)).toBe(2000);
    expect(validationUserCap(0, 20_000)).toBe(2000);
    expect(validationUserCap(0, 26_766)).toBe(1494);
    expect(validationUserCap(0, 100_000)).toBe(400);
    expect(validationUserCap(0, 1_000_000)).toBe(300);
    // users × items stays at the budget between the two bounds
    for (const items of [25_000, 50_000, 100_000]) expect(validationUserCap(0, items) * items).toBeLessThanOrEqual(40_000_000);
  });

  it('a given number is kept as is, whatever the catalog', () => {
    expect(validationUserCap(12, 100_000)).toBe(12);
    expect(validationUserCap(5000, 1_000_000)).toBe(5000);
  });

  it('keeps a seeded subset in protocol order, the same for the same seed', () => {
    const users = Array.from({ length: 1000 }, (_, i) => i);
    const a = validationSubset(users, validationUserCap(0, 100_000), 1);
    expect(a).toHaveLength(400);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(validationSubset(users, 400, 1)).toEqual(a);
    expect(validationSubset(users, 400, 2)).not.toEqual(a);
    expect(validationSubset(users.slice(0, 300), 400, 1)).toHaveLength(300);
  });
});
