import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { runHarness, type CellResult } from '../../../src/eval/harness';
import { ease } from '../../../src/eval/methods/ease';
import { ials } from '../../../src/eval/methods/ials';
import { METHODS } from '../../../src/eval/methods/index';
import { prepareData } from '../../../src/protocol/data';
import { createRng } from '../../../src/math/rng';
import type { Method } from '../../../src/eval/types';
import { writeReportFiles } from '../../../src/eval/write';

/** 80 users in 4 taste clusters over 60 items; each user rates 32 items, 4-5 stars mostly in their cluster. */
function tinyWorld(): Dataset {
  const rand = createRng(3).next;
  const interactions: Interaction[] = [];
  for (let u = 0; u < 80; u++) {
    const cluster = u % 4;
    const picked = new Set<number>();
    while (picked.size < 32) picked.add(rand() < 0.8 ? cluster * 15 + Math.floor(rand() * 15) : Math.floor(rand() * 60));
    let t = 1000;
    for (const i of picked) {
      t += 1 + Math.floor(rand() * 100);
      interactions.push({ user: `user${u}`, item: `item${i}`, rating: rand() < 0.9 ? 5 : 2, timestamp: t });
    }
  }
  return { name: 'tiny-world', interactions, items: [], hasRatings: true, hasTimestamps: true };
}

/** A stand-in for an adapted method: popularity that sharpens towards ItemKNN over "steps". */
function fakeAdapted(): Method {
  return {
    name: 'fake-meta',
    fit: async (fold, ctx) => {
      const pop = await METHODS.popularity!().fit(fold, ctx);
      const knn = await METHODS.itemknn!().fit(fold, ctx);
      return {
        score: (s) => knn.score(s),
        scoreSteps: async (s, steps = 5) => {
          const out = [];
          for (let t = 0; t <= steps; t++) out.push(t === 0 ? await pop.score(s) : await knn.score(s));
          return out;
        },
      };
    },
  };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('harness end to end', () => {
  it('runs every method over five folds and writes JSON, Markdown and SVG', async () => {
    const data = prepareData(tinyWorld(), 4);
    const methods: Method[] = [
      METHODS.popularity!(),
      METHODS.itemknn!(),
      METHODS['pop-knn-blend']!(),
      ease({ lambdas: [1, 10] }),
      ials({ dims: [4], alphas: [1], lambdas: [1], iterations: 3 }),
      fakeAdapted(),
    ];
    const lines: string[] = [];
    const report = await runHarness(data, methods, {
      ks: [1, 3, 5],
      folds: [0, 1, 2, 3, 4],
      threshold: 4,
      minPositives: 25,
      steps: 2,
      log: (l) => lines.push(l),
    });
    expect(report.protocol).toBe('v1');
    expect(report.dataset).toBe('tiny-world');
    expect(report.folds).toEqual([0, 1, 2, 3, 4]);
    expect(Object.keys(report.methods)).toEqual(['popularity', 'itemknn', 'pop-knn-blend', 'ease', 'ials', 'fake-meta']);
    for (const result of Object.values(report.methods)) {
      for (const k of ['1', '3', '5']) {
        const cell = result[k] as CellResult;
        expect(Object.keys(cell).sort()).toEqual(['ndcg10', 'ndcg10_ci', 'recall20', 'recall20_ci', 'users']);
        expect(cell.ndcg10).toBeGreaterThanOrEqual(0);
        expect(cell.ndcg10).toBeLessThanOrEqual(1);
        expect(cell.users).toBeGreaterThan(0);
      }
    }
    // Every user with >= 25 positives is evaluated exactly once across the five folds.
    const evaluated = data.users.filter((u) => u.items.length >= 25).length;
    expect((report.methods.popularity!['1'] as CellResult).users).toBe(evaluated);
    // The step curve exists only for the adapted method: steps 0..2, step 0 = popularity at k = 5.
    expect(report.methods.popularity!.steps).toBeUndefined();
    const steps = report.methods['fake-meta']!.steps as number[];
    expect(steps).toHaveLength(3);
    expect(steps[0]).toBeCloseTo((report.methods.popularity!['5'] as CellResult).ndcg10, 12);
    expect(steps[2]).toBeCloseTo((report.methods.itemknn!['5'] as CellResult).ndcg10, 12);
    expect(report.tuning['pop-knn-blend']!['0']).toMatchObject({ chosen: { weight: expect.any(Number) } });
    expect(lines.some((l) => l.includes('fold 4 ials'))).toBe(true);

    const dir = await mkdtemp(join(tmpdir(), 'localrec-eval-'));
    dirs.push(dir);
    const paths = await writeReportFiles(report, join(dir, 'sub', 'report.json'));
    const json = JSON.parse(await readFile(paths.json, 'utf8'));
    expect(json.methods.itemknn['3'].users).toBe(evaluated);
    const md = await readFile(paths.markdown, 'utf8');
    expect(md).toContain('| method | k=1 | k=3 | k=5 |');
    expect(md).toMatch(/\| fake-meta \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|/);
    const svg = await readFile(paths.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(6);
    expect(svg).toContain('pop-knn-blend');
  });
});
