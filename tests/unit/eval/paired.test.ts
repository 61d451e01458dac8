// The paired comparison of meta against the best other method: the math by hand, then against a paired bootstrap.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { pairedAgainstBest, pairedForReport, pairedRatio } from '../../../src/eval/paired';
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { runProtocols } from '../../../src/eval/harness';
import { METHODS } from '../../../src/eval/methods/index';
import { markdownReport } from '../../../src/eval/report';
import { markdownReportV2 } from '../../../src/eval/report-v2';
import { prepareData } from '../../../src/protocol/data';

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
    // A report keeps its other results and says why the comparison is missing.
    const errors: string[] = [];
    expect(pairedForReport('meta', { meta: [1, 0], ials: [1] }, errors)).toBeNull();
    expect(errors).toEqual([expect.stringMatching(/cannot pair meta with ials: 2 vs 1/)]);
  });
});

describe('paired comparison and time in the reports', () => {
  /** 150 users over 70 items: walks with skewed jumps, ratings mostly positive. */
  function world(): Dataset {
    const rand = createRng(23).next;
    const interactions: Interaction[] = [];
    for (let u = 0; u < 150; u++) {
      let item = Math.floor(rand() * 70);
      for (let j = 0, n = 25 + Math.floor(rand() * 40); j < n; j++) {
        item = rand() < 0.5 ? (item + 1 + Math.floor(rand() * 3)) % 70 : Math.floor(rand() ** 2 * 70);
        interactions.push({ user: `u${u}`, item: `i${item}`, rating: rand() < 0.9 ? 5 : 2, timestamp: j });
      }
    }
    return { name: 'walks', interactions, items: [], hasRatings: true, hasTimestamps: true };
  }

  it('pairs meta with the best other method per metric, consistent with the table, and reports the run time', async () => {
    // A stand-in for meta (the real one trains for minutes): recency-weighted ItemKNN under the name the reports pair.
    const meta = { ...METHODS['itemknn-recency']!(), name: 'meta' };
    const methods = [METHODS.popularity!(), METHODS.itemknn!(), METHODS.markov!(), meta];
    const { v1, v2 } = await runProtocols(prepareData(world(), 4), methods, { ks: [1, 5], folds: [0, 1], threshold: 4, minPositives: 25 }, ['v1', 'v2']);
    for (const metric of ['hr10', 'mrr10'] as const) {
      const p = v2!.paired![metric]!;
      const others = Object.entries(v2!.methods).filter(([n]) => n !== 'meta');
      const best = others.reduce((a, b) => (b[1][metric] > a[1][metric] ? b : a));
      expect(p.against).toBe(best[0]);
      expect(p.ratio).toBeCloseTo(v2!.methods.meta![metric] / best[1][metric], 12);
      expect(p.difference).toBeCloseTo(v2!.methods.meta![metric] - best[1][metric], 12);
      expect(p.users).toBe(v2!.methods.meta!.users);
      expect(p.ci[0]).toBeLessThan(p.ratio);
      expect(p.ci[1]).toBeGreaterThan(p.ratio);
    }
    for (const k of ['1', '5']) {
      const p = v1!.paired!.ndcg10[k]!;
      const cell = (m: string) => (v1!.methods[m]![k] as { ndcg10: number }).ndcg10;
      const best = ['popularity', 'itemknn', 'markov'].reduce((a, b) => (cell(b) > cell(a) ? b : a));
      expect(p.against).toBe(best);
      expect(p.ratio).toBeCloseTo(cell('meta') / cell(best), 12);
    }
    expect(markdownReportV2(v2!)).toMatch(/Paired, meta ÷ the best other method by mean .*HR@10 \d\.\d{3} \[/);
    expect(markdownReport(v1!)).toMatch(/Paired, meta ÷ the best other method by mean nDCG@10 .*k=1: \d\.\d{3} \[/);
    // One run, two protocols: both reports carry the run's total and each protocol's share.
    expect(v1!.timing.totalSeconds).toBe(v2!.timing.totalSeconds);
    expect(v1!.timing.protocols).toEqual(v2!.timing.protocols);
    const { v1: s1, v2: s2 } = v1!.timing.protocols;
    expect(s1! + s2!).toBeLessThanOrEqual(v1!.timing.totalSeconds);
    const methodSeconds = Object.values(v2!.timing.methods).reduce((s, t) => s + t.fitSeconds + t.evalSeconds, 0);
    expect(s2).toBeCloseTo(methodSeconds, 9);
    expect(v2!.timing.cpuSeconds).toBeGreaterThan(0);
    expect(markdownReportV2(v2!)).toMatch(/Whole run: \d+\.\d s wall, \d+\.\d CPU s on 1 thread \(protocol v1 \d+\.\d s, protocol v2 \d+\.\d s/);
    // Without meta there is nothing to pair.
    const { v2: none } = await runProtocols(prepareData(world(), 4), methods.slice(0, 2), { ks: [1], folds: [0], threshold: 4, minPositives: 25 }, ['v2']);
    expect(none!.paired).toBeUndefined();
  }, 60_000);
});
