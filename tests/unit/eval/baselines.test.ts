import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, spdInverse } from '../../../src/math/linalg';
import { woodburySolve } from '../../../src/math/ials';
import { createRng } from '../../../src/math/rng';
import { popKnnBlend } from '../../../src/eval/methods/blend';
import { ease, easeItems } from '../../../src/eval/methods/ease';
import { ials } from '../../../src/eval/methods/ials';
import { itemknnScorer } from '../../../src/eval/methods/itemknn';
import { popularityScorer } from '../../../src/eval/methods/popularity';
import { exclusionMask, topN } from '../../../src/protocol/metrics';
import type { FoldData, UserPositives } from '../../../src/protocol/types';

// Catalog A B C D E; E is cold (no training user has it).
const catalog = ['A', 'B', 'C', 'D', 'E'];
const user = (name: string, ...items: number[]): UserPositives => ({ user: name, items: Int32Array.from(items) });
const tinyFold = (validation: UserPositives[] = []): FoldData => ({
  fold: 0,
  catalog,
  itemIndex: new Map(catalog.map((c, i) => [c, i])),
  train: [user('u1', 0, 1), user('u2', 0, 2), user('u3', 1, 2, 3)],
  validation,
  test: [],
  content: catalog.map(() => undefined),
});
const sup = (...xs: number[]) => Int32Array.from(xs);

describe('popularity', () => {
  it('counts training users per item, ignoring the support', async () => {
    const s = popularityScorer(tinyFold());
    expect([...(await s.score(sup(3)))]).toEqual([2, 2, 2, 1, 0]);
  });
});

describe('itemknn', () => {
  it('sums |Ui ∩ Uj| / sqrt(|Ui| |Uj|) over the support', async () => {
    const s = itemknnScorer(tinyFold());
    // U_A={u1,u2} U_B={u1,u3} U_C={u2,u3} U_D={u3}
    const one = await s.score(sup(0));
    expect(one[1]).toBeCloseTo(0.5, 12);
    expect(one[2]).toBeCloseTo(0.5, 12);
    expect(one[3]).toBe(0);
    expect(one[4]).toBe(0);
    const two = await s.score(sup(0, 3));
    expect(two[1]).toBeCloseTo(0.5 + 1 / Math.sqrt(2), 12);
    expect(two[2]).toBeCloseTo(0.5 + 1 / Math.sqrt(2), 12);
    expect(two[4]).toBe(0);
    // B and C tie exactly: catalog order decides.
    expect([...topN(two, 2)]).toEqual([1, 2]);
  });

  it('scores 0 from a support item no training user has', async () => {
    expect([...(await itemknnScorer(tinyFold()).score(sup(4)))]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('linear algebra', () => {
  it('inverts an SPD matrix', () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const inv = spdInverse(a.slice(), 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let p = 0; p < 3; p++) s += a[i * 3 + p]! * inv[p * 3 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    expect(() => spdInverse(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('iALS row solve', () => {
  it('Woodbury matches a direct solve of (K + α F^T F) x = (1+α) F^T 1', () => {
    const d = 5;
    const alpha = 4;
    const rand = createRng(5).next;
    const f = Float64Array.from({ length: 6 * d }, () => rand() - 0.5);
    const k = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) k[a * d + b] = (a === b ? 2 : 0) + 0.1 * (a + b);
    for (const rows of [[2], [0, 3], [1, 4, 5]]) {
      const direct = k.slice();
      const rhs = new Float64Array(d);
      for (const r of rows) {
        for (let a = 0; a < d; a++) {
          rhs[a] += (1 + alpha) * f[r * d + a]!;
          for (let b = 0; b < d; b++) direct[a * d + b] += alpha * f[r * d + a]! * f[r * d + b]!;
        }
      }
      cholesky(direct, d);
      choleskySolve(direct, d, rhs);
      const out = new Float64Array(d + 2);
      woodburySolve(spdInverse(k.slice(), d), d, f, rows, alpha, out, 2);
      for (let a = 0; a < d; a++) expect(out[2 + a]).toBeCloseTo(rhs[a]!, 10);
    }
  });
});

describe('tuned baselines', () => {
  const validation = [user('v1', 0, 1, 3), user('v2', 1, 2, 3)];
  const ctx = { ks: [1] };

  it('EASE limits itself to the most popular items and reports its grid', async () => {
    expect(easeItems(Float64Array.from([5, 0, 3, 3, 1]), 2)).toEqual({ items: Int32Array.from([0]), minUsers: 4 });
    expect(easeItems(Float64Array.from([5, 0, 3, 3, 1]), 10).minUsers).toBe(1);
    const s = await ease({ lambdas: [1, 10], maxItems: 3 }).fit(tinyFold(validation), ctx);
    const scores = await s.score(sup(0));
    expect(scores[4]).toBeLessThan(Math.min(scores[1]!, scores[2]!, scores[3]!));
    expect(s.tuning).toMatchObject({ modelledItems: 3, chosen: expect.any(Object) });
    expect((s.tuning!.grid as unknown[]).length).toBeGreaterThanOrEqual(2);
  });

  it('iALS folds in the support and ranks cold items last', async () => {
    const s = await ials({ dims: [2, 3], alphas: [1], lambdas: [0.1], iterations: 3 }).fit(tinyFold(validation), ctx);
    const scores = await s.score(sup(0));
    expect(scores).toHaveLength(5);
    expect(scores[4]).toBeLessThan(-1e5);
    expect((s.tuning!.grid as unknown[]).length).toBe(2);
  });

  it('the blend spans ItemKNN (w = 0) to popularity (w = 1)', async () => {
    const knn = await popKnnBlend([0]).fit(tinyFold(validation), ctx);
    expect([...topN(await knn.score(sup(3)), 2, exclusionMask(5, [3]))]).toEqual([1, 2]);
    const pop = await popKnnBlend([1]).fit(tinyFold(validation), ctx);
    expect([...(await pop.score(sup(3)))]).toEqual([1, 1, 1, 0.5, 0]);
  });
});
