import { describe, expect, it } from 'vitest';
import { expectNear as near } from './support/near';
import { usePageModule } from './support/page-module';
import type { Case, FixtureSpec, Outcome } from './pages/wgsl-page';

// The WGSL click (SwiftShader WebGPU in headless Chromium) against a float64
// reference of the order-aware model written from its formulas
// (tests/support/model-v2-reference.ts), on the GPU kernel directly and
// behind core's driver (adapt/rank with the kernel object). Tolerances:
// float32 GPU arithmetic against float64: scores and parameters within
// 3e-5 × max(1, |x|), losses within 3e-6 × max(1, loss); the top-k ids must
// be identical.
const SCORE_TOL = 3e-5;
const LOSS_TOL = 3e-6;
const page = usePageModule<typeof import('./pages/wgsl-page')>('/tests/browser/pages/wgsl-page.ts');

const optional = (what: string, got: number | null, want: number | null) => {
  expect(got === null, `${what} present`).toBe(want === null);
  if (want !== null) near(what, [got!], [want], SCORE_TOL);
};

function expectOutcome(label: string, got: Outcome, want: Outcome): void {
  expect(got.top, `${label}: top`).toEqual(want.top);
  near(`${label}: scores`, got.scores, want.scores, SCORE_TOL);
  near(`${label}: losses`, got.losses, want.losses, LOSS_TOL);
  near(`${label}: user`, got.user, want.user, SCORE_TOL);
  near(`${label}: pop`, [got.pop], [want.pop], SCORE_TOL);
  optional(`${label}: knn`, got.knn, want.knn);
  optional(`${label}: seq`, got.seq, want.seq);
  expect(got.rolledBack, `${label}: rolled back`).toBe(want.rolledBack);
}

async function expectSame(spec: FixtureSpec, cases: readonly Case[]) {
  const result = await page.call('compare', spec, cases);
  result.cases.forEach(({ reference, gpu, driver, driverReference, start }, i) => {
    const label = `case ${i} (${JSON.stringify(cases[i]!.feedback).slice(0, 60)})`;
    expectOutcome(`${label}, GPU start`, gpu, reference);
    expectOutcome(`${label}, driver`, driver, driverReference);
    near(`${label}: driver start`, start.driver.user, start.reference.user, SCORE_TOL);
    optional(`${label}: start knn`, start.driver.knn, start.reference.knn);
    optional(`${label}: start seq`, start.driver.seq, start.reference.seq);
    // The sweeps, select-local, and select-merge where select-local has more than one workgroup; one read-back.
    expect(gpu.dispatches).toBe(cases[i]!.steps + (result.groups.select > 1 ? 3 : 2));
    expect(driver.readbacks, `${label}: read-backs of adapt + rank`).toBe(1);
  });
  return result;
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

const CASES: Case[] = [
  { feedback: { clicks: [4], negatives: [] }, steps: 3, k: 20 },
  { feedback: { clicks: [9, 9, 40, 77, 9], negatives: [9, 12, 13, 200] }, steps: 3, k: 20, negativeWeight: 0.7 },
  { feedback: { clicks: range(5, 2900, 145), negatives: range(1, 2000, 333) }, steps: 2, k: 20 },
  { feedback: { clicks: [], negatives: [7, 8] }, steps: 2, k: 20 },
  { feedback: { clicks: [17, 2999, 0], negatives: [] }, steps: 0, k: 20 },
  { feedback: { clicks: [1, 2, 3, 2], negatives: [5], clickWeights: [1, 0.5, 2, 1] }, steps: 3, k: 20 },
];

describe('WGSL click kernel against the order-aware model (recency decay 0.8, sequential term)', () => {
  it('float32 table with neighbours and transitions: same top 20, scores, losses and parameters', async () => {
    const result = await expectSame({ items: 3000, dim: 8, neighbours: 5, transitions: 4, options: { selectGroups: 2 } }, CASES);
    console.log(`adapter ${result.adapter}, groups ${JSON.stringify(result.groups)}`);
  });

  it('no lists (no item-item or sequential term), dim 6 (rows padded to vec4s), every click the same (decay 1)', async () => {
    await expectSame({ items: 3000, dim: 6, decay: 1 }, CASES);
  });

  it('int8 table (vectors and context) against the reference on the dequantized table, transitions only', async () => {
    await expectSame({ items: 3000, dim: 8, transitions: 6, int8: true, options: { selectGroups: 3 } }, CASES);
  });

  it('a larger catalog, top 100, with one workgroup per stage and with several (uneven ranges, select-merge)', async () => {
    const cases: Case[] = [
      { feedback: { clicks: range(3, 20_000, 997), negatives: [11, 12, 13] }, steps: 2, k: 100 },
      { feedback: { clicks: [19_999], negatives: [] }, steps: 1, k: 100 },
    ];
    for (const options of [{ sweepGroups: 1, selectGroups: 1 }, { sweepGroups: 7, selectGroups: 3 }]) {
      const result = await expectSame({ items: 20_000, dim: 32, neighbours: 10, transitions: 5, options }, cases);
      expect(result.groups).toEqual({ sweep: options.sweepGroups, select: options.selectGroups });
    }
  });

  it('rolls back an exploding step as the driver does: the last good state ranks', async () => {
    const cases: Case[] = [{ feedback: { clicks: [1, 7], negatives: [] }, steps: 3, k: 20 }];
    const result = await expectSame({ items: 2000, dim: 8, transitions: 3, innerLr: 1e6 }, cases);
    expect(result.cases[0]!.reference.rolledBack).toBe(true);
    expect(result.cases[0]!.reference.losses).toHaveLength(1);
  });

  it('runs on the device tfjs holds (webgpu backend) when given it', async () => {
    const cases: Case[] = [{ feedback: { clicks: [9, 9, 40, 77], negatives: [12, 13] }, steps: 2, k: 20 }];
    const result = await expectSame({ items: 2000, dim: 8, neighbours: 5, transitions: 3, shared: true }, cases);
    expect(result.shared).toBe(true);
  });
});

describe('WGSL kernel in a session, as the worker drives it', () => {
  it('counts each click\'s rank before adapting in the scores left on the GPU: one read-back per click', async () => {
    const clicks = [5, 17, 5, 900, 1200, 17, 33, 2500];
    const out = await page.call('session', { items: 3000, dim: 8, neighbours: 5, transitions: 4 }, clicks, 2);
    out.forEach((c, i) => {
      expect(c.rank, `click ${i}: prequential rank`).toBe(c.expected);
      expect(c.top, `click ${i}: top 20`).toEqual(c.expectedTop);
      expect(c.readbacks, `click ${i}: read-backs`).toBe(1);
    });
  });
});

describe('WGSL top k', () => {
  it('breaks exact ties by the lower index and skips excluded items', async () => {
    const exclude = [0, 3, 17, 250, 4095, 4096, 9_999];
    for (const [items, k, selectGroups] of [[10_000, 100, 1], [10_000, 1, 3], [50_000, 128, undefined]] as const) {
      const r = await page.call('ties', items, k, exclude, selectGroups ? { selectGroups } : undefined);
      expect(r.gpu.top, `${items} items, top ${k}`).toEqual(r.host.top);
      expect(r.gpu.scores).toEqual(r.host.scores);
    }
  });

  it('returns fewer than k when fewer items remain', async () => {
    const r = await page.call('ties', 40, 50, [1, 2, 3]);
    expect(r.gpu.top).toHaveLength(37);
    expect(r.gpu.top).toEqual(r.host.top);
  });
});
