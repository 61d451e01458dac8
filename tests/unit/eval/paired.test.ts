// The paired comparison of meta against the best other method: the math by hand, then against a paired bootstrap.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { pairedAgainstBest, pairedRatio } from '../../../src/eval/paired';

describe('paired ratio of means', () => {
  it('matches a hand-computed example', () => {
    // a = (1, 0, 1, 1), b = (1, 1, 0, 0): means 0.75 and 0.5, R = 1.5.
    // Residuals a - R b = (-0.5, -1.5, 1, 1): sum of squares 4.5, variance 4.5 / 3 = 1.5,
    // SE = sqrt(1.5) / (0.5 · sqrt(4)) = 1.2247449, half-width 1.96 · SE = 2.4004999.
    // Differences (0, -1, 1, 1): mean 0.25, squares about it 2.75, variance 2.75 / 3,
    // SE = sqrt(2.75 / 3 / 4) = 0.4787136, half-width 0.9382787.
    const r = pairedRatio([1, 0, 1, 1], [1, 1, 0, 0])!;
    expect(r.ratio).toBe(1.5);
    expect(r.ci[0]).toBeCloseTo(1.5 - 2.4004999, 6);
    expect(r.ci[1]).toBeCloseTo(1.5 + 2.4004999, 6);
    expect(r.difference).toBe(0.25);
    expect(r.difference_ci[0]).toBeCloseTo(0.25 - 0.9382787, 6);
    expect(r.difference_ci[1]).toBeCloseTo(0.25 + 0.9382787, 6);
    expect(r.users).toBe(4);
  });

  it('is as wide as a paired bootstrap, and far narrower than an unpaired interval when users vary together', () => {
    const rand = createRng(11).next;
    // Users differ a lot (how easy they are), the methods little: the case pairing is for.
    const ease = Array.from({ length: 400 }, () => rand());
    const b = ease.map((e) => e * 0.4 + 0.05 * rand());
    const a = ease.map((_, i) => b[i]! * 1.05 + 0.03 * (rand() - 0.5));
    const r = pairedRatio(a, b)!;
    const ratios: number[] = [];
    for (let s = 0; s < 2000; s++) {
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < a.length; i++) {
        const j = Math.floor(rand() * a.length);
        sa += a[j]!;
        sb += b[j]!;
      }
      ratios.push(sa / sb);
    }
    ratios.sort((x, y) => x - y);
    const [lo, hi] = [ratios[49]!, ratios[1949]!];
    const half = (r.ci[1] - r.ci[0]) / 2;
    expect(half / ((hi - lo) / 2)).toBeGreaterThan(0.85);
    expect(half / ((hi - lo) / 2)).toBeLessThan(1.15);
    // Unpaired: each mean's own interval, propagated to the ratio as if independent.
    const sd = (v: number[]) => { const m = v.reduce((x, y) => x + y) / v.length; return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)); };
    const ma = a.reduce((x, y) => x + y) / a.length;
    const mb = b.reduce((x, y) => x + y) / b.length;
    const unpaired = 1.96 * r.ratio * Math.hypot(sd(a) / ma, sd(b) / mb) / Math.sqrt(a.length);
    expect(half).toBeLessThan(unpaired / 5);
  });

  it('has no ratio when the denominator is 0 or with fewer than two users, and rejects unequal lengths', () => {
    expect(pairedRatio([1, 1], [0, 0])).toBeNull();
    expect(pairedRatio([1], [1])).toBeNull();
    expect(() => pairedRatio([1, 2], [1])).toThrow(/one value per user/);
  });
});

describe('meta against the best other method', () => {
  it('picks the best other method by mean and pairs with it', () => {
    const perUser = { popularity: [0, 0, 1, 0], ials: [1, 1, 0, 0], meta: [1, 0, 1, 1] };
    const p = pairedAgainstBest('meta', perUser)!;
    expect(p.against).toBe('ials');
    expect(p.ratio).toBe(1.5);
    expect(pairedAgainstBest('meta', { ials: [1, 0] })).toBeNull();
    expect(pairedAgainstBest('meta', { meta: [1, 0] })).toBeNull();
    expect(() => pairedAgainstBest('meta', { meta: [1, 0], ials: [1] })).toThrow(/same folds and users/);
  });
});
