// An independent, deliberately naive implementation of protocol v1 (full sorts, Sets, no shared
// code beyond fnv1a32) that the harness must match on Popularity and ItemKNN.
import { describe, expect, it } from 'vitest';
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { fnv1a32 } from '../../../src/protocol/fnv';
import { runHarness, type CellResult } from '../../../src/eval/harness';
import { itemknn } from '../../../src/eval/methods/itemknn';
import { popularity } from '../../../src/eval/methods/popularity';
import { prepareData } from '../../../src/protocol/data';
import { createRng } from '../../../src/math/rng';

function world(): Dataset {
  const rand = createRng(11).next;
  const interactions: Interaction[] = [];
  for (let u = 0; u < 120; u++) {
    const n = 60 + Math.floor(rand() * 60);
    for (let j = 0; j < n; j++) {
      // Skewed item popularity, coarse timestamps (ties), a few repeats and low ratings.
      const item = `it${Math.floor(rand() ** 2 * 120)}`;
      interactions.push({ user: `p${u}`, item, rating: 1 + Math.floor(rand() * 5), timestamp: Math.floor(rand() * 5) });
    }
  }
  return { name: 'ref', interactions, items: [], hasRatings: true, hasTimestamps: true };
}

function naive(ds: Dataset, threshold: number, ks: number[], scoreFn: 'pop' | 'knn'): Record<number, { ndcg: number; recall: number; n: number }> {
  const catalog = [...new Set(ds.interactions.map((r) => r.item))].sort();
  const pos = new Map<string, Map<string, number>>();
  for (const r of ds.interactions) {
    if ((r.rating ?? 0) < threshold) continue;
    const m = pos.get(r.user) ?? new Map<string, number>();
    pos.set(r.user, m);
    m.set(r.item, Math.min(m.get(r.item) ?? Infinity, r.timestamp ?? 0));
  }
  const ordered = new Map<string, string[]>();
  for (const [u, m] of pos) {
    ordered.set(u, [...m.keys()].sort((a, b) => m.get(a)! - m.get(b)! || fnv1a32(`${u}:${a}`) - fnv1a32(`${u}:${b}`)));
  }
  const sums: Record<number, { nd: number[]; rc: number[] }> = {};
  for (const k of ks) sums[k] = { nd: [], rc: [] };
  for (let f = 0; f < 5; f++) {
    const bucket = (u: string) => fnv1a32(u) % 10;
    const train = [...ordered.keys()].filter((u) => ![2 * f, 2 * f + 1, (2 * f + 2) % 10].includes(bucket(u)));
    const test = [...ordered.keys()].filter((u) => [2 * f, 2 * f + 1].includes(bucket(u)) && ordered.get(u)!.length >= 25);
    const U = new Map<string, Set<string>>();
    for (const u of train) for (const i of ordered.get(u)!) U.set(i, (U.get(i) ?? new Set()).add(u));
    const size = (i: string) => U.get(i)?.size ?? 0;
    for (const u of test) {
      for (const k of ks) {
        const items = ordered.get(u)!;
        const support = items.slice(0, k);
        const query = new Set(items.slice(k));
        const score = (i: string) => {
          if (scoreFn === 'pop') return size(i);
          let s = 0;
          for (const j of support) {
            if (!size(i) || !size(j)) continue;
            s += [...U.get(i)!].filter((x) => U.get(j)!.has(x)).length / Math.sqrt(size(i) * size(j));
          }
          return s;
        };
        const cands = catalog.map((id, idx) => ({ id, idx, s: score(id) })).filter((c) => !support.includes(c.id));
        cands.sort((a, b) => b.s - a.s || a.idx - b.idx);
        let dcg = 0;
        let idcg = 0;
        for (let r = 0; r < 10; r++) if (cands[r] && query.has(cands[r]!.id)) dcg += 1 / Math.log2(r + 2);
        for (let r = 0; r < Math.min(query.size, 10); r++) idcg += 1 / Math.log2(r + 2);
        const hits = cands.slice(0, 20).filter((c) => query.has(c.id)).length;
        sums[k]!.nd.push(dcg / idcg);
        sums[k]!.rc.push(hits / Math.min(query.size, 20));
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Object.fromEntries(ks.map((k) => [k, { ndcg: mean(sums[k]!.nd), recall: mean(sums[k]!.rc), n: sums[k]!.nd.length }]));
}

describe('harness against a naive reference implementation', () => {
  it('reproduces Popularity and ItemKNN exactly', async () => {
    const ds = world();
    const ks = [1, 3, 5, 10, 20];
    const report = await runHarness(prepareData(ds, 4), [popularity(), itemknn()], { ks, folds: [0, 1, 2, 3, 4], threshold: 4, minPositives: 25 });
    for (const [name, fn] of [['popularity', 'pop'], ['itemknn', 'knn']] as const) {
      const ref = naive(ds, 4, ks, fn);
      for (const k of ks) {
        const cell = report.methods[name]![String(k)] as CellResult;
        expect(cell.users).toBe(ref[k]!.n);
        expect(cell.users).toBeGreaterThan(5);
        expect(cell.ndcg10).toBeCloseTo(ref[k]!.ndcg, 10);
        expect(cell.recall20).toBeCloseTo(ref[k]!.recall, 10);
      }
    }
  });
});
