import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness';
import './support/page-globals';
import type { Case, FixtureSpec } from './pages/wgsl-page';

// The WGSL click (SwiftShader WebGPU in headless Chromium) against the host
// kernel on the same model in the same page. Tolerances: float32 GPU
// arithmetic in another order than the host's (which sums in float64):
// scores and parameters within 2e-5 × max(1, |x|), losses within 2e-6 ×
// max(1, loss); the top-k ids must be identical.
const SCORE_TOL = 2e-5;
const LOSS_TOL = 2e-6;
const PAGE = '/tests/browser/pages/wgsl-page.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

type Compared = Awaited<ReturnType<typeof import('./pages/wgsl-page')['compare']>>;

async function compare(spec: FixtureSpec, cases: readonly Case[]): Promise<Compared> {
  const { context, page } = await harness.newPage();
  try {
    return await page.evaluate(async ([module, s, c]) => (await window.importModule<typeof import('./pages/wgsl-page')>(module)).compare(s, c), [PAGE, spec, cases] as const);
  } finally {
    await context.close();
  }
}

const near = (what: string, got: readonly number[], want: readonly number[], tol: number) => {
  expect(got.length, `${what}: length`).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))));
};

function expectSame(result: Compared, cases: readonly Case[]): void {
  result.cases.forEach(({ reference: ref, gpu }, i) => {
    const label = `case ${i} (${JSON.stringify(cases[i]!.feedback).slice(0, 60)})`;
    expect(gpu.top, `${label}: top ${cases[i]!.k}`).toEqual(ref.top);
    near(`${label}: scores`, gpu.scores, ref.scores, SCORE_TOL);
    near(`${label}: losses`, gpu.losses, ref.losses, LOSS_TOL);
    near(`${label}: user`, gpu.user, ref.user, SCORE_TOL);
    near(`${label}: pop`, [gpu.pop], [ref.pop], SCORE_TOL);
    expect(gpu.knn === null, `${label}: item-item weight present`).toBe(ref.knn === null);
    if (ref.knn !== null) near(`${label}: knn`, [gpu.knn!], [ref.knn], SCORE_TOL);
    expect(gpu.rolledBack, `${label}: rolled back`).toBe(ref.rolledBack);
    expect(gpu.readbacks).toBe(1);
    // The sweeps, select-local, and select-merge where select-local has more than one workgroup.
    expect(gpu.dispatches).toBe(cases[i]!.steps + (result.groups.select > 1 ? 3 : 2));
  });
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

const CASES: Case[] = [
  { feedback: { clicks: [4], negatives: [] }, steps: 3, k: 20 },
  { feedback: { clicks: [9, 9, 40, 77], negatives: [9, 12, 13, 200] }, steps: 3, k: 20, negativeWeight: 0.7 },
  { feedback: { clicks: range(5, 2900, 145), negatives: range(1, 2000, 333) }, steps: 2, k: 20 },
  { feedback: { clicks: [], negatives: [7, 8] }, steps: 2, k: 20 },
  { feedback: { clicks: [17, 2999, 0], negatives: [] }, steps: 0, k: 20 },
];

describe('WGSL click kernel against the host kernel', () => {
  it('float32 table, no neighbours: same top 20, scores, losses and parameters', async () => {
    const result = await compare({ items: 3000, dim: 8, options: { selectGroups: 2 } }, CASES);
    console.log(`adapter ${result.adapter}, groups ${JSON.stringify(result.groups)}`);
    expectSame(result, CASES);
  });

  it('float32 table with the item-item term, dim 6 (rows padded to vec4s)', async () => {
    expectSame(await compare({ items: 3000, dim: 6, neighbours: 5 }, CASES), CASES);
  });

  it('int8 table (vectors and context) against the host on the dequantized table, with neighbours', async () => {
    expectSame(await compare({ items: 3000, dim: 8, neighbours: 5, int8: true, options: { selectGroups: 3 } }, CASES), CASES);
  });

  it('weighted clicks from an explicit start (the host starts unweighted), with impressions', async () => {
    const cases: Case[] = [
      { feedback: { clicks: [1, 2, 3], negatives: [5], clickWeights: [1, 0.5, 2] }, steps: 3, k: 20, explicitStart: true },
      { feedback: { clicks: [100, 200, 100], negatives: [300, 400], clickWeights: [0.2, 1, 3] }, steps: 2, k: 20, negativeWeight: 1, explicitStart: true },
    ];
    expectSame(await compare({ items: 3000, dim: 8 }, cases), cases);
  });

  it('a larger catalog, top 100, with one workgroup per stage and with several (uneven ranges, select-merge)', async () => {
    const cases: Case[] = [
      { feedback: { clicks: range(3, 20_000, 997), negatives: [11, 12, 13] }, steps: 2, k: 100 },
      { feedback: { clicks: [19_999], negatives: [] }, steps: 1, k: 100 },
    ];
    for (const options of [{ sweepGroups: 1, selectGroups: 1 }, { sweepGroups: 7, selectGroups: 3 }]) {
      const result = await compare({ items: 20_000, dim: 32, neighbours: 10, options }, cases);
      expect(result.groups).toEqual({ sweep: options.sweepGroups, select: options.selectGroups });
      expectSame(result, cases);
    }
  });

  it('rolls back an exploding step as the host kernel does: the last good state ranks', async () => {
    const cases: Case[] = [{ feedback: { clicks: [1], negatives: [] }, steps: 3, k: 20 }];
    const result = await compare({ items: 2000, dim: 8, innerLr: 1e6 }, cases);
    expect(result.cases[0]!.reference.rolledBack).toBe(true);
    expect(result.cases[0]!.reference.losses).toHaveLength(1);
    expectSame(result, cases);
  });
});

describe('WGSL sparse offsets', () => {
  it('adds a transition row s·t_i to the scores and the softmax (the host with a fixed item-item weight)', async () => {
    const c: Case = { feedback: { clicks: [9, 40, 77, 1500], negatives: [12, 13] }, steps: 2, k: 20 };
    const { context, page } = await harness.newPage();
    try {
      const r = await page.evaluate(async ([module, cc]) => (await window.importModule<typeof import('./pages/wgsl-page')>(module)).transitions(cc), [PAGE, c] as const);
      expect(r.entries).toBeGreaterThan(10);
      expect(r.gpu.knn).toBeNull();
      expect(r.gpu.top).toEqual(r.reference.top);
      near('scores', r.gpu.scores, r.reference.scores, SCORE_TOL);
      near('losses', r.gpu.losses, r.reference.losses, LOSS_TOL);
      near('user', r.gpu.user, r.reference.user, SCORE_TOL);
      near('pop', [r.gpu.pop], [r.reference.pop], SCORE_TOL);
    } finally {
      await context.close();
    }
  });
});

describe('WGSL top k', () => {
  async function ties(items: number, k: number, exclude: number[], selectGroups?: number) {
    const { context, page } = await harness.newPage();
    try {
      return await page.evaluate(
        async ([module, n, kk, ex, g]) => (await window.importModule<typeof import('./pages/wgsl-page')>(module)).ties(n, kk, ex, g ? { selectGroups: g } : undefined),
        [PAGE, items, k, exclude, selectGroups ?? 0] as const,
      );
    } finally {
      await context.close();
    }
  }

  it('breaks exact ties by the lower index and skips excluded items, as core/top-k does', async () => {
    const exclude = [0, 3, 17, 250, 4095, 4096, 9_999];
    for (const [items, k, selectGroups] of [[10_000, 100, 1], [10_000, 1, 3], [50_000, 128, 0]] as const) {
      const r = await ties(items, k, exclude, selectGroups);
      expect(r.gpu.top, `${items} items, top ${k}`).toEqual(r.host.top);
      expect(r.gpu.scores).toEqual(r.host.scores);
    }
  });

  it('returns fewer than k when fewer items remain', async () => {
    const r = await ties(40, 50, [1, 2, 3]);
    expect(r.gpu.top).toHaveLength(37);
    expect(r.gpu.top).toEqual(r.host.top);
  });
});

describe('WGSL kernel on the device tfjs holds', () => {
  it('shares the webgpu backend device and agrees with the tfjs op graph on it', async () => {
    const cases: Case[] = [
      { feedback: { clicks: [9, 9, 40, 77], negatives: [12, 13] }, steps: 2, k: 20 },
      { feedback: { clicks: [1500], negatives: [] }, steps: 2, k: 20 },
    ];
    const result = await compare({ items: 2000, dim: 8, neighbours: 5, backend: 'webgpu' }, cases);
    expect(result.shared).toBe(true);
    expectSame(result, cases);
  });
});
