// Protocol v2 (the prequential next click): steps, metrics and the harness against a naive
// independent implementation (full sorts, Sets, Maps; nothing shared beyond fnv1a32).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { fnv1a32 } from '../../../src/protocol/fnv';
import { runProtocols } from '../../../src/eval/harness';
import { cosineIndex } from '../../../src/eval/methods/itemknn';
import { popKnnBlend } from '../../../src/eval/methods/blend';
import { itemknnRecency, recencyKnnScorer } from '../../../src/eval/methods/itemknn-recency';
import { METHODS } from '../../../src/eval/methods/index';
import { buildFold, prepareData } from '../../../src/protocol/data';
import { createRng } from '../../../src/math/rng';
import { writeReportFiles } from '../../../src/eval/write';
import { prequentialMetrics, prequentialSteps } from '../../../src/protocol/prequential';

function world(): Dataset {
  const rand = createRng(5).next;
  const interactions: Interaction[] = [];
  for (let u = 0; u < 150; u++) {
    const n = 20 + Math.floor(rand() * 70);
    let item = Math.floor(rand() * 80);
    for (let j = 0; j < n; j++) {
      // Sequential structure (a walk over neighbouring ids), skewed jumps, coarse timestamps with ties.
      item = rand() < 0.6 ? (item + 1 + Math.floor(rand() * 3)) % 80 : Math.floor(rand() ** 2 * 80);
      interactions.push({ user: `q${u}`, item: `m${item}`, rating: rand() < 0.8 ? 5 : 2, timestamp: Math.floor(j / 3) });
    }
  }
  return { name: 'seq', interactions, items: [], hasRatings: true, hasTimestamps: true };
}

type Naive = Record<'popularity' | 'itemknn' | 'markov', { hr: number; mrr: number; users: number; curve: Record<number, number> }>;

/** Protocol v2 written from BENCHMARK.md alone. */
function naiveV2(ds: Dataset): Naive {
  const catalog = [...new Set(ds.interactions.map((r) => r.item))].sort();
  const pos = new Map<string, Map<string, number>>();
  for (const r of ds.interactions) {
    if ((r.rating ?? 0) < 4) continue;
    const m = pos.get(r.user) ?? new Map<string, number>();
    pos.set(r.user, m);
    m.set(r.item, Math.min(m.get(r.item) ?? Infinity, r.timestamp ?? 0));
  }
  const ordered = new Map<string, string[]>();
  for (const [u, m] of pos) ordered.set(u, [...m.keys()].sort((a, b) => m.get(a)! - m.get(b)! || fnv1a32(`${u}:${a}`) - fnv1a32(`${u}:${b}`)));
  const out = {} as Naive;
  for (const method of ['popularity', 'itemknn', 'markov'] as const) {
    const hrs: number[] = [];
    const mrrs: number[] = [];
    const byStep = new Map<number, number[]>();
    for (let f = 0; f < 5; f++) {
      const bucket = (u: string) => fnv1a32(u) % 10;
      const train = [...ordered.keys()].filter((u) => ![2 * f, 2 * f + 1, (2 * f + 2) % 10].includes(bucket(u)));
      const test = [...ordered.keys()].filter((u) => [2 * f, 2 * f + 1].includes(bucket(u)) && ordered.get(u)!.length >= 25);
      const U = new Map<string, Set<string>>();
      const trans = new Map<string, number>();
      for (const u of train) {
        const items = ordered.get(u)!;
        items.forEach((i, p) => {
          U.set(i, (U.get(i) ?? new Set()).add(u));
          if (p + 1 < items.length) trans.set(`${i}>${items[p + 1]}`, (trans.get(`${i}>${items[p + 1]}`) ?? 0) + 1);
        });
      }
      const size = (i: string) => U.get(i)?.size ?? 0;
      const cosines = new Map<string, number>();
      const cosine = (i: string, j: string): number => {
        if (!size(i) || !size(j)) return 0;
        const key = `${i}|${j}`;
        if (!cosines.has(key)) cosines.set(key, [...U.get(i)!].filter((x) => U.get(j)!.has(x)).length / Math.sqrt(size(i) * size(j)));
        return cosines.get(key)!;
      };
      for (const u of test) {
        const items = ordered.get(u)!;
        let hr = 0;
        let rr = 0;
        const steps = Math.min(items.length - 1, 50);
        for (let t = 1; t <= steps; t++) {
          const history = items.slice(0, t);
          const target = items[t]!;
          const key = (i: string): number[] => {
            if (method === 'popularity') return [size(i)];
            if (method === 'markov') return [trans.get(`${history[t - 1]}>${i}`) ?? 0, size(i)];
            let s = 0;
            for (const j of history) s += cosine(i, j);
            return [s];
          };
          const ranked = catalog
            .map((i, c) => ({ i, c, k: key(i) }))
            .filter((x) => !history.includes(x.i))
            .sort((a, b) => b.k[0]! - a.k[0]! || (b.k[1] ?? 0) - (a.k[1] ?? 0) || a.c - b.c);
          const rank = ranked.findIndex((x) => x.i === target) + 1;
          const hit = rank <= 10 ? 1 : 0;
          hr += hit;
          rr += rank <= 10 ? 1 / rank : 0;
          byStep.set(t, [...(byStep.get(t) ?? []), hit]);
        }
        hrs.push(hr / steps);
        mrrs.push(rr / steps);
      }
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const curve: Record<number, number> = {};
    for (const t of [1, 2, 3, 5, 10, 20, 50]) if (byStep.has(t)) curve[t] = mean(byStep.get(t)!);
    out[method] = { hr: mean(hrs), mrr: mean(mrrs), users: hrs.length, curve };
  }
  return out;
}

describe('protocol v2 steps and metrics', () => {
  it('predicts each next click from the history so far, at most 50 steps', () => {
    const items = Int32Array.from({ length: 60 }, (_, i) => i);
    const steps = prequentialSteps({ user: 'u', items });
    expect(steps).toHaveLength(50);
    expect(steps[0]).toMatchObject({ t: 1, target: 1 });
    expect([...steps[0]!.history]).toEqual([0]);
    expect([...steps[49]!.history]).toHaveLength(50);
    expect(prequentialSteps({ user: 'u', items: Int32Array.of(3, 4, 5) }).map((s) => s.target)).toEqual([4, 5]);
    expect(prequentialSteps({ user: 'u', items: Int32Array.of(3) })).toHaveLength(0);
  });

  it('ranks among the catalog minus the history, equal scores in catalog order', () => {
    const step = { t: 2, history: Int32Array.of(0, 1), target: 4 };
    // Items 0 and 1 (history) score highest but are not candidates; 2 and 3 tie with the target:
    // the earlier items in catalog order rank first, so the target is third.
    expect(prequentialMetrics(Float32Array.of(9, 9, 1, 1, 1, 0), step)).toEqual({ hit: 1, rr: 1 / 3, rank: 3 });
    expect(prequentialMetrics(Float32Array.of(0, 0, 0, 0, 1, 0), step).rank).toBe(1);
    const many = new Float32Array(30).fill(1);
    many[4] = 0;
    expect(prequentialMetrics(many, step)).toMatchObject({ hit: 0, rr: 0, rank: 28 });
  });
});

describe('protocol v2 harness', () => {
  it('matches a naive implementation on popularity, ItemKNN and Markov, and writes the report', async () => {
    const ds = world();
    const data = prepareData(ds, 4);
    const methods = ['popularity', 'itemknn', 'markov'].map((m) => METHODS[m]!());
    const { v2, v1 } = await runProtocols(data, methods, { ks: [1, 5], folds: [0, 1, 2, 3, 4], threshold: 4, minPositives: 25 }, ['v2']);
    expect(v1).toBeUndefined();
    const naive = naiveV2(ds);
    for (const m of ['popularity', 'itemknn', 'markov'] as const) {
      const r = v2!.methods[m]!;
      expect(r.users).toBe(naive[m].users);
      expect(r.hr10).toBeCloseTo(naive[m].hr, 12);
      expect(r.mrr10).toBeCloseTo(naive[m].mrr, 12);
      for (const [t, v] of Object.entries(naive[m].curve)) expect(r.curve[t]).toBeCloseTo(v, 12);
    }
    // The data has sequential structure, so the last item says more than popularity.
    expect(v2!.methods.markov!.hr10).toBeGreaterThan(v2!.methods.popularity!.hr10);
    const dir = await mkdtemp(join(tmpdir(), 'v2-report-'));
    try {
      const paths = await writeReportFiles(v2!, join(dir, 'eval-v2-seq.json'));
      const json = JSON.parse(await readFile(paths.json, 'utf8'));
      expect(json).toMatchObject({ protocol: 'v2', dataset: 'seq' });
      expect(Object.keys(json.methods.markov).sort()).toEqual(['curve', 'hr10', 'hr10_ci', 'mrr10', 'mrr10_ci', 'users']);
      expect(await readFile(paths.markdown, 'utf8')).toContain('| markov |');
      expect(await readFile(paths.svg, 'utf8')).toMatch(/^<svg[\s\S]*markov[\s\S]*<\/svg>\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fits a method that does not tune once for both protocols, and a tuned one per protocol', async () => {
    const data = prepareData(world(), 4);
    const fits: string[] = [];
    const counting = (name: string, tunes: boolean) => ({
      name,
      tunes,
      fit: async (fold: Parameters<ReturnType<typeof METHODS.popularity>['fit']>[0], ctx: Parameters<ReturnType<typeof METHODS.popularity>['fit']>[1]) => {
        fits.push(`${name}:${ctx.objective?.name.includes('HR@10') ? 'v2' : 'v1'}`);
        return METHODS.popularity!().fit(fold, ctx);
      },
    });
    const { v1, v2 } = await runProtocols(data, [counting('fixed', false), counting('tuned', true)], { ks: [5], folds: [0], threshold: 4, minPositives: 25 }, ['v1', 'v2']);
    expect(fits).toEqual(['fixed:v1', 'tuned:v1', 'tuned:v2']);
    expect(Object.keys(v1!.methods)).toEqual(['fixed', 'tuned']);
    expect(v2!.methods.fixed!.hr10).toBe(v2!.methods.tuned!.hr10);
  });
});

describe('protocol v2 baselines', () => {
  it('recency-weighted ItemKNN scores successive prefixes incrementally exactly as from scratch', async () => {
    const fold = buildFold(prepareData(world(), 4), 0, 25);
    const scorer = recencyKnnScorer(cosineIndex(fold), 0.7);
    const history = fold.test[0]!.items;
    const prefixes = [1, 2, 3, 4, 6, 7].map((t) => history.subarray(0, t));
    const many = await scorer.scoreMany!(prefixes);
    for (const [i, p] of prefixes.entries()) {
      const fresh = await scorer.score(p);
      for (let j = 0; j < fresh.length; j++) expect(many[i]![j]).toBeCloseTo(fresh[j]!, 10);
    }
  });

  it('the popularity + ItemKNN blend scores successive prefixes incrementally to the same floats as from scratch', async () => {
    const fold = buildFold(prepareData(world(), 4), 0, 25);
    const scorer = await popKnnBlend([0.2]).fit(fold, { ks: [5] });
    const history = fold.test[1]!.items;
    const prefixes = [1, 2, 3, 5, 6, 7].map((t) => history.subarray(0, t));
    const many = await scorer.scoreMany!(prefixes);
    for (const [i, p] of prefixes.entries()) expect([...many[i]!]).toEqual([...(await scorer.score(p))]);
  });

  it('recency-weighted ItemKNN with decay 1 is plain ItemKNN, and its decay is chosen on validation users', async () => {
    const fold = buildFold(prepareData(world(), 4), 1, 25);
    const plain = await METHODS.itemknn!().fit(fold, { ks: [5] });
    const flat = recencyKnnScorer(cosineIndex(fold), 1);
    const s = fold.test[0]!.items.subarray(0, 9);
    const [a, b] = [await plain.score(s), await flat.score(s)];
    for (let j = 0; j < a.length; j++) expect(b[j]).toBeCloseTo(a[j]!, 10);
    const tuned = await itemknnRecency([1, 0.5]).fit(fold, { ks: [5] });
    expect((tuned.tuning!.grid as unknown[]).length).toBe(2);
    expect([1, 0.5]).toContain((tuned.tuning!.chosen as { decay: number }).decay);
  });

  it('the blend keeps the two best tuned candidates on validation users', async () => {
    const fold = buildFold(prepareData(world(), 4), 2, 25);
    const blend = METHODS.blend!();
    const scorer = await blend.fit(fold, { ks: [5] });
    const t = scorer.tuning as { components: string[]; candidates: { method: string; validation: number }[] };
    const best = [...t.candidates].sort((a, b) => b.validation - a.validation).slice(0, 2).map((c) => c.method);
    expect(t.components).toEqual(best);
    expect(t.candidates).toHaveLength(4);
    scorer.dispose?.();
  });
});
