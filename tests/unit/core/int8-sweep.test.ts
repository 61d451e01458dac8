import { describe, expect, it } from 'vitest';
import { int8Kernel, threePasses, type Int8KernelKind, type SparseOffsets } from '../../../src/core/int8-kernel';
import { dequantizeAll, quantizeRows } from '../../../src/core/int8-rows';
import { int8SweepModule } from '../../../src/core/int8-sweep';
import { createRng } from '../../../src/math/rng';

/**
 * The fused sweep (one pass, online softmax) against the straightforward
 * reference: scores of the dequantized rows in float64, their max, then
 * softmax weights, normaliser and expectations in a second pass. The SIMD
 * kernel's user vector is int16 (relative 1.5e-5 of its largest coordinate),
 * so its scores carry that error; everything else is float32 rounding.
 */
function reference(values: Float32Array, n: number, dim: number, bias: Float32Array, user: Float32Array, pop: number, offsets: SparseOffsets | null) {
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = pop * bias[i]!;
    for (let d = 0; d < dim; d++) s += values[i * dim + d]! * user[d]!;
    scores[i] = s;
  }
  offsets?.items.forEach((i, j) => (scores[i]! += offsets.values[j]!));
  const max = scores.reduce((a, b) => Math.max(a, b), -Infinity);
  let z = 0;
  let sumBias = 0;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const e = Math.exp(scores[i]! - max);
    z += e;
    sumBias += e * bias[i]!;
    for (let d = 0; d < dim; d++) mean[d]! += e * values[i * dim + d]!;
  }
  return { scores, logZ: max + Math.log(z), meanBias: sumBias / z, mean: mean.map((v) => v / z) };
}

interface Case {
  readonly name: string;
  readonly n: number;
  readonly dim: number;
  /** The prior, which sets how the scores are spread and ordered. */
  readonly bias: (i: number, rng: ReturnType<typeof createRng>) => number;
  readonly offsets: (n: number) => SparseOffsets | null;
}

const spread = (n: number): SparseOffsets => {
  const items = Int32Array.from(new Set([0, 1, 7, Math.floor(n / 2), n - 2, n - 1])).sort();
  return { items, values: Float32Array.from(items, (_, j) => (j % 2 ? -3 : 2.5)) };
};

const CASES: Case[] = [
  { name: 'random scores, offsets first, middle and last', n: 5003, dim: 32, bias: (_, rng) => rng.normal(), offsets: spread },
  // Every row a new running max: the sums are rescaled at each one, by factors down to exp(-87) and below.
  { name: 'rising scores (a rescale at every row, 0 to 300)', n: 3001, dim: 20, bias: (i) => 0.1 * i, offsets: () => null },
  { name: 'a few scores 160 above the rest (the rest underflow)', n: 2000, dim: 12, bias: (i) => (i % 397 === 5 ? 80 : -80), offsets: spread },
  { name: 'equal scores', n: 999, dim: 4, bias: () => 0, offsets: () => null },
  // The largest score comes from an offset, on the last item.
  { name: 'the max set by the last offset', n: 1000, dim: 8, bias: (_, rng) => rng.normal(), offsets: (n) => ({ items: Int32Array.of(3, n - 1), values: Float32Array.of(-2, 50) }) },
  // More offsets than the SIMD kernel keeps room for: the three passes run instead, with the same results.
  { name: 'an offset on every item', n: 600, dim: 16, bias: (_, rng) => rng.normal(), offsets: (n) => ({ items: Int32Array.from({ length: n }, (_, i) => i), values: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) }) },
];

const KINDS: Int8KernelKind[] = ['simd-i16', 'loops'];

/** max |x| (a loop: spreading 10⁵ values into Math.max overflows the stack). */
function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  return max;
}

describe.each(CASES)('fused int8 sweep: $name', ({ n, dim, bias: prior, offsets: offsetsOf }) => {
  const rng = createRng(`sweep-${n}-${dim}`);
  const rows = quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * 0.3), n, dim);
  const values = dequantizeAll(rows);
  const bias = Float32Array.from({ length: n }, (_, i) => prior(i, rng));
  const user = Float32Array.from({ length: rows.dim }, (_, d) => (d < dim ? rng.normal() : 0));
  const pop = 0.9;
  const offsets = offsetsOf(n);
  const want = reference(values, n, rows.dim, bias, user, pop, offsets);
  const umax = maxAbs(user);
  // Per score: the int16 user vector's error and float32 rounding of a score of that size.
  const scoreTolerance = (i: number): number => {
    let l1 = 0;
    for (let d = 0; d < rows.dim; d++) l1 += Math.abs(values[i * rows.dim + d]!);
    return 2e-5 * (l1 * umax + Math.abs(pop * bias[i]!) + 1) + 1e-6 * Math.abs(want.scores[i]!);
  };
  const worst = maxAbs(Array.from({ length: n }, (_, i) => scoreTolerance(i)));

  it('compiles the fused SIMD module for this row width (else the three passes would stand in unnoticed)', () => {
    expect(int8SweepModule(rows.dim)).not.toBeNull();
  });

  it.each(KINDS)('%s: scores, log-partition and softmax expectations (the gradient sums) as the two-pass reference', (kind) => {
    const kernel = int8Kernel(rows, bias, { kind });
    const got = kernel.sweep(user, pop, offsets, true);
    for (let i = 0; i < n; i++) expect(Math.abs(got.scores[i]! - want.scores[i]!)).toBeLessThanOrEqual(scoreTolerance(i));
    expect(Math.abs(got.max + Math.log(got.z) - want.logZ)).toBeLessThanOrEqual(worst + 1e-6 * Math.abs(want.logZ));
    // An expectation moves by at most its spread times the largest score error (weights change by exp(±error)).
    const [vmax, bmax] = [maxAbs(values), maxAbs(bias)];
    expect(Math.abs(got.sumBias / got.z - want.meanBias)).toBeLessThanOrEqual(2 * bmax * (2 * worst + 1e-5));
    for (let d = 0; d < rows.dim; d++) expect(Math.abs(got.weighted![d]! / got.z - want.mean[d]!)).toBeLessThanOrEqual(2 * vmax * (2 * worst + 1e-5));
  });

  it.each(KINDS)('%s: the same as its own three passes; without means, the same scores and normaliser', (kind) => {
    const kernel = int8Kernel(rows, bias, { kind });
    const fused = kernel.sweep(user, pop, offsets, true);
    const [scores, weighted, z, sumBias, max] = [fused.scores.slice(), fused.weighted!.slice(), fused.z, fused.sumBias, fused.max];
    const alone = kernel.sweep(user, pop, offsets, false);
    expect(alone.weighted).toBeNull();
    expect(alone.scores).toEqual(scores);
    expect(alone.max).toBe(max);
    expect(alone.z).toBeCloseTo(z, 12);
    const three = threePasses(kernel, user, pop, offsets, true);
    expect(three.max).toBe(max);
    for (let i = 0; i < n; i++) expect(Math.abs(three.scores[i]! - scores[i]!)).toBeLessThanOrEqual(1e-6 * (Math.abs(scores[i]!) + 1));
    expect(Math.abs(three.z - z) / z).toBeLessThan(1e-4);
    expect(Math.abs(three.sumBias / three.z - sumBias / z)).toBeLessThan(1e-4 * (Math.abs(sumBias / z) + 1));
    for (let d = 0; d < rows.dim; d++) expect(Math.abs(three.weighted![d]! / three.z - weighted[d]! / z)).toBeLessThan(1e-5);
  });
});

describe('fused int8 sweep, SIMD against plain loops', () => {
  it('agree on a random table with offsets to float tolerance', () => {
    const rng = createRng('sweep-agree');
    const [n, dim] = [4099, 28];
    const rows = quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * 0.3), n, dim);
    const bias = Float32Array.from({ length: n }, () => rng.normal());
    const user = Float32Array.from({ length: dim }, () => rng.normal());
    const simd = int8Kernel(rows, bias, { kind: 'simd-i16' }).sweep(user, 1.1, spread(n), true);
    const loops = int8Kernel(rows, bias, { kind: 'loops' }).sweep(user, 1.1, spread(n), true);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(simd.scores[i]! - loops.scores[i]!));
    expect(worst).toBeLessThan(1e-3);
    expect(Math.abs(simd.max + Math.log(simd.z) - (loops.max + Math.log(loops.z)))).toBeLessThan(1e-3);
    for (let d = 0; d < dim; d++) expect(simd.weighted![d]! / simd.z).toBeCloseTo(loops.weighted![d]! / loops.z, 4);
  });
});
