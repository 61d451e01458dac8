import { describe, expect, it } from 'vitest';
import { createRng, createWeightedSampler } from '../../../src/math/rng';

describe('createRng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number | string) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw('tasks')).toEqual(draw('tasks'));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42)).not.toEqual(draw('42x'));
  });

  it('produces a pinned stream (same numbers in every engine; guards algorithm changes)', () => {
    const rng = createRng(1);
    expect([rng.next(), rng.next(), rng.next()].map((x) => x * 4294967296)).toEqual([
      986517678, 2672681029, 625981019,
    ]);
    const named = createRng('localrec');
    expect([named.int(1000), named.int(1000), named.int(1000)]).toEqual([698, 83, 373]);
  });

  it('keeps next() in [0, 1) and is roughly uniform', () => {
    const rng = createRng('uniform');
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) throw new Error(`next() out of range: ${x}`);
      sum += x;
      bins[Math.floor(x * 10)]! += 1;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    // Chi-square with 9 dof: 99.9th percentile is about 27.9.
    const expected = n / 10;
    const chi2 = bins.reduce((acc, b) => acc + (b - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('int(n) stays in range and covers every value', () => {
    const rng = createRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const k = rng.int(13);
      expect(Number.isInteger(k) && k >= 0 && k < 13).toBe(true);
      seen.add(k);
    }
    expect(seen.size).toBe(13);
    expect(() => rng.int(0)).toThrow(/positive integer, got 0/);
    expect(() => rng.int(2.5)).toThrow(/got 2.5/);
  });

  it('normal() has mean ~0 and variance ~1', () => {
    const rng = createRng('gauss');
    const n = 50_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) throw new Error(`normal() not finite: ${z}`);
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - mean * mean - 1)).toBeLessThan(0.05);
  });

  it('shuffle permutes in place deterministically', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.slice();
    const out = createRng(3).shuffle(a);
    createRng(3).shuffle(b);
    expect(out).toBe(a);
    expect(a).toEqual(b);
    expect(a.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('sample(n, k) gives k distinct ints in [0, n), uniformly', () => {
    const rng = createRng('sample');
    const counts = new Array<number>(20).fill(0);
    for (let t = 0; t < 4000; t++) {
      const s = rng.sample(20, 5);
      expect(new Set(s).size).toBe(5);
      for (const x of s) {
        expect(x >= 0 && x < 20).toBe(true);
        counts[x]! += 1;
      }
    }
    // Each value is included with probability 5/20: expect ~1000 each.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(rng.sample(5, 5).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(rng.sample(1_000_000_000, 3)).toHaveLength(3);
    expect(() => rng.sample(3, 4)).toThrow(/cannot draw 4 distinct values from 3/);
  });

  it('choiceWeighted follows the weights and skips zeros', () => {
    const rng = createRng('weights');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[rng.choiceWeighted([1, 0, 3, 0])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
    expect(() => rng.choiceWeighted([0, 0])).toThrow(/sum to 0/);
    expect(() => rng.choiceWeighted([1, -1])).toThrow(/weight 1 is -1/);
  });

  it('createWeightedSampler matches choiceWeighted in distribution', () => {
    const rng = createRng('sampler');
    const draw = createWeightedSampler([0, 2, 0, 6, 2]);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) counts[draw(rng)]! += 1;
    expect(counts[0]).toBe(0);
    expect(counts[2]).toBe(0);
    expect(counts[3]! / 50_000).toBeCloseTo(0.6, 1);
    expect(() => createWeightedSampler([])).toThrow(/sum to 0 over 0 entries/);
  });

  it('fork gives independent, label-stable streams', () => {
    const parent = createRng(9);
    const f1 = parent.fork('users');
    parent.next();
    const f2 = parent.fork('users');
    expect(f1.next()).toBe(f2.next());
    expect(createRng(9).fork('items').next()).not.toBe(createRng(9).fork('users').next());
  });
});
