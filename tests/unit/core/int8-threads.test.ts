import { afterEach, describe, expect, it } from 'vitest';
import { int8Kernel, type Int8Kernel, type SparseOffsets } from '../../../src/core/int8-kernel';
import { quantizeRows } from '../../../src/core/int8-rows';
import { mergeParts, offsetCuts, rowRanges } from '../../../src/core/int8-split';
import { MIN_ROWS_PER_PART, type SweepHelper, type SweepHelpers } from '../../../src/core/int8-threads';
import { createRng } from '../../../src/math/rng';
import { sweepThreads } from '../../../src/worker/sweep-threads';
import { nodeThread } from '../support/node-threads';

/**
 * The int8 sweep shared among threads: the rows cut into parts, each swept by
 * its own thread (here real Node worker threads running the browser helpers'
 * program over the shared WebAssembly memory), the parts merged. Scores must
 * be bit for bit one thread's; the softmax sums the same up to the order of
 * their terms.
 */

const kernels: Int8Kernel[] = [];
afterEach(() => kernels.splice(0).forEach((k) => k.dispose()));

function table(n: number, dim: number, seed: string) {
  const rng = createRng(seed);
  const rows = quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * 0.3), n, dim);
  const bias = Float32Array.from({ length: n }, () => rng.normal());
  const user = Float32Array.from({ length: rows.dim }, (_, d) => (d < dim ? rng.normal() : 0));
  return { rows, bias, user };
}

/** Offsets on the first, middle and last rows of every part and of the tail. */
function offsetsAcross(n: number): SparseOffsets {
  const items = Int32Array.from(new Set([0, 3, 4, 5, Math.floor(n / 3), Math.floor(n / 2) - 1, Math.floor(n / 2), Math.floor(n / 2) + 1, n - 5, n - 2, n - 1])).sort();
  return { items, values: Float32Array.from(items, (_, j) => (j % 2 ? -1.5 : 2.25)) };
}

async function readyKernel(rows: ReturnType<typeof table>['rows'], bias: Float32Array, helpers: SweepHelpers): Promise<Int8Kernel> {
  const kernel = int8Kernel(rows, bias, { helpers });
  kernels.push(kernel);
  for (let i = 0; i < 500 && kernel.threads < 1 + helpers.count; i++) await new Promise((r) => setTimeout(r, 10));
  return kernel;
}

function expectSameSweep(got: ReturnType<Int8Kernel['sweep']>, want: { scores: Float32Array; max: number; z: number; sumBias: number; weighted: Float32Array | null }): void {
  expect(got.scores).toEqual(want.scores);
  expect(got.max).toBe(want.max);
  // Σe, Σe·bias and Σe·V are summed in float32 lanes: the order of the terms moves them by float32 rounding.
  expect(Math.abs(got.z - want.z) / want.z).toBeLessThan(1e-5);
  expect(Math.abs(got.sumBias - want.sumBias)).toBeLessThan(1e-5 * want.z);
  for (let d = 0; d < want.weighted!.length; d++) expect(Math.abs(got.weighted![d]! - want.weighted![d]!)).toBeLessThan(1e-5 * want.z);
}

describe('cutting a sweep into parts', () => {
  it('covers the rows once, in multiples of 4, as equal as that allows', () => {
    for (const [n4, parts] of [[1_000_000, 2], [4_000_004, 3], [12, 4], [8, 4], [0, 2]] as const) {
      const ranges = rowRanges(n4, parts);
      expect(ranges).toHaveLength(parts);
      expect(ranges.reduce((a, r) => a + r.count, 0)).toBe(n4);
      ranges.forEach((r, p) => {
        expect(r.count % 4).toBe(0);
        expect(r.start).toBe(p === 0 ? 0 : ranges[p - 1]!.start + ranges[p - 1]!.count);
      });
      const counts = ranges.map((r) => r.count);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(4);
    }
  });

  it('hands each part the offsets among its rows and leaves the tail its own', () => {
    const items = Int32Array.of(0, 3, 4, 7, 8, 11, 12, 13);
    expect(offsetCuts(items, rowRanges(12, 3), 12)).toEqual([0, 2, 4, 6]);
  });

  it('merges parts as one online softmax would: rescaled to the common max, empty parts adding nothing', () => {
    const out = new Float32Array(2);
    const merged = mergeParts([
      { max: 2, z: 3, sumBias: 1, weighted: Float32Array.of(1, 2) },
      { max: -Infinity, z: 0, sumBias: 0, weighted: Float32Array.of(NaN, NaN) },
      { max: 5, z: 1, sumBias: 4, weighted: Float32Array.of(0.5, -1) },
    ], out);
    const r = Math.exp(2 - 5);
    expect(merged.max).toBe(5);
    expect(merged.z).toBeCloseTo(3 * r + 1, 14);
    expect(merged.sumBias).toBeCloseTo(r + 4, 14);
    expect(out[0]).toBeCloseTo(r + 0.5, 6);
    expect(out[1]).toBeCloseTo(2 * r - 1, 6);
  });
});

describe('the int8 sweep with helper threads (Node worker threads, shared WebAssembly memory)', () => {
  // n not a multiple of 4: the last rows are the caller's tail after the parts.
  // (large enough for three parts of MIN_ROWS_PER_PART).
  const n = 70_003;
  const { rows, bias, user } = table(n, 28, 'threads');
  const one = int8Kernel(rows, bias);

  it.each([1, 2])('with %i helper(s): every score bit for bit, the sums to rounding, offsets in every part', async (count) => {
    const kernel = await readyKernel(rows, bias, sweepThreads(count, nodeThread));
    expect(kernel.threads).toBe(1 + count);
    for (const offsets of [null, offsetsAcross(n)]) {
      const want = one.sweep(user, 0.7, offsets, true);
      const copy = { ...want, scores: want.scores.slice(), weighted: want.weighted!.slice() };
      expectSameSweep(kernel.sweep(user, 0.7, offsets, true), copy);
      const alone = kernel.sweep(user, 0.7, offsets, false);
      expect(alone.scores).toEqual(copy.scores);
      expect(alone.weighted).toBeNull();
    }
    // Ranking's scores, swept in parts: those of the one-thread pass.
    const ranked = one.scores(user, 0.7);
    const [scores, max] = [ranked.scores.slice(), ranked.max];
    const got = kernel.scores(user, 0.7);
    expect(got.scores).toEqual(scores);
    expect(got.max).toBe(max);
  });

  it('after dispose() sweeps alone, with the same results', async () => {
    const kernel = await readyKernel(rows, bias, sweepThreads(1, nodeThread));
    expect(kernel.threads).toBe(2);
    kernel.dispose();
    expect(kernel.threads).toBe(1);
    const want = one.sweep(user, 0.7, null, true);
    expectSameSweep(kernel.sweep(user, 0.7, null, true), { ...want, scores: want.scores.slice(), weighted: want.weighted!.slice() });
  });

  it('a helper that never answers is given up: its rows swept by the caller, the results the same, never asked again', () => {
    let asked = 0;
    let stopped = false;
    const silent: SweepHelper = {
      ready: true,
      begin: () => void asked++,
      finish: () => false,
      stop: () => void (stopped = true),
    };
    const kernel = int8Kernel(rows, bias, { helpers: { count: 1, start: () => [silent] } });
    kernels.push(kernel);
    expect(kernel.threads).toBe(2);
    const offsets = offsetsAcross(n);
    const want = one.sweep(user, 0.7, offsets, true);
    expectSameSweep(kernel.sweep(user, 0.7, offsets, true), { ...want, scores: want.scores.slice(), weighted: want.weighted!.slice() });
    expect([asked, stopped, kernel.threads]).toEqual([1, true, 1]);
    kernel.sweep(user, 0.7, offsets, true);
    expect(asked).toBe(1);
  });

  it('a table too small to share (under two parts of MIN_ROWS_PER_PART) starts no helpers', () => {
    const small = table(2 * MIN_ROWS_PER_PART - 1, 28, 'small');
    const kernel = int8Kernel(small.rows, small.bias, { helpers: { count: 1, start: () => expect.fail('helpers started for a small table') } });
    kernels.push(kernel);
    expect(kernel.threads).toBe(1);
  });

  it('a helper not ready yet is not waited for', () => {
    const waiting: SweepHelper = { ready: false, begin: () => expect.fail('asked before ready'), finish: () => expect.fail('waited for'), stop: () => {} };
    const kernel = int8Kernel(rows, bias, { helpers: { count: 1, start: () => [waiting] } });
    kernels.push(kernel);
    expect(kernel.threads).toBe(1);
    const want = one.sweep(user, 0.7, null, true);
    expectSameSweep(kernel.sweep(user, 0.7, null, true), { ...want, scores: want.scores.slice(), weighted: want.weighted!.slice() });
  });
});
