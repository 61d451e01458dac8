import { describe, expect, it } from 'vitest';
import { sweep } from '../../../src/core/host-kernel';
import { int8Kernel, type Int8KernelKind } from '../../../src/core/int8-kernel';
import { dequantizeAll, dequantizeRow, quantizeRows } from '../../../src/core/int8-rows';
import { createRng } from '../../../src/math/rng';
import { simdTable } from '../../../src/core/simd-kernel';
import { topK } from '../../../src/math/top-k';

/**
 * Tolerance of an int8 kernel's score against the float kernel on the
 * dequantized table: the int16 user vector is off by at most half a step,
 * max|u|/65534 per coordinate, so a score by at most 1.53e-5 · ‖v_i‖₁ · max|u|,
 * plus float32 rounding. Stated here as 2e-5 · (‖v_i‖₁ · max|u| + |pop · b_i| + 1).
 */
const TOLERANCE = 2e-5;

function table(n: number, dim: number, seed: string) {
  const rng = createRng(seed);
  const values = Float32Array.from({ length: n * dim }, () => rng.normal() * 0.3);
  const bias = Float32Array.from({ length: n }, () => rng.normal());
  const user = Float32Array.from({ length: dim }, () => rng.normal());
  return { values, bias, user, rows: quantizeRows(values, n, dim) };
}

const KINDS: Int8KernelKind[] = ['simd-i16', 'simd-f32', 'loops'];

describe('int8 rows', () => {
  it('quantize each row to within half a step of its scale, symmetric, padded to a multiple of 4', () => {
    const { values, rows } = table(50, 10, 'rows');
    expect(rows.dim).toBe(12);
    const out = new Float32Array(12);
    for (let i = 0; i < 50; i++) {
      dequantizeRow(rows, i, out);
      const max = Math.max(...Array.from(values.subarray(i * 10, i * 10 + 10), Math.abs));
      expect(rows.scales[i]).toBeCloseTo(max / 127, 6);
      for (let d = 0; d < 10; d++) expect(Math.abs(out[d]! - values[i * 10 + d]!)).toBeLessThanOrEqual(rows.scales[i]! / 2 + 1e-7);
      expect([out[10], out[11]]).toEqual([0, 0]);
    }
    expect(rows.codes.every((c) => c >= -127)).toBe(true);
  });
});

describe.each([
  [10_007, 32],
  [333, 20],
  [64, 4],
])('int8 kernel, %i items × dim %i', (n, dim) => {
  const { bias, user, rows } = table(n, dim, `kernel-${n}-${dim}`);
  const dequantized = dequantizeAll(rows);
  const float = { kind: 'float32', n, dim: rows.dim, vectors: dequantized, bias, simd: simdTable(n, rows.dim, dequantized, bias) } as const;
  const u = Float32Array.from({ length: rows.dim }, (_, d) => user[d] ?? 0);
  const reference = sweep(float, u, 0.7, true);
  const umax = Math.max(...Array.from(u, Math.abs));
  const bound = (i: number): number => {
    let l1 = 0;
    for (let d = 0; d < rows.dim; d++) l1 += Math.abs(dequantized[i * rows.dim + d]!);
    return TOLERANCE * (l1 * umax + Math.abs(0.7 * bias[i]!) + 1);
  };

  it.each(KINDS)('%s: every score within the stated tolerance and the same top 20 as the float kernel on the dequantized table', (kind) => {
    const kernel = int8Kernel(rows, bias, { kind });
    expect(kernel.kind).toBe(kind);
    const { scores, max } = kernel.scores(u, 0.7);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(scores[i]! - reference.scores[i]!) / bound(i));
    expect(worst).toBeLessThanOrEqual(1);
    expect(max).toBe(Math.max(...scores));
    // Same top 20, provided no two of the float top 21 are closer than the tolerance (else the test would prove nothing).
    const want = topK(reference.scores, 21);
    const gaps = Array.from(want.scores.subarray(1), (s, j) => want.scores[j]! - s);
    expect(Math.min(...gaps)).toBeGreaterThan(2 * bound(want.indices[0]!));
    expect(Array.from(topK(scores, 20).indices)).toEqual(Array.from(want.indices.subarray(0, 20)));
  });

  it.each(KINDS)('%s: softmax sums and the weighted item sum agree with the float kernel', (kind) => {
    const kernel = int8Kernel(rows, bias, { kind });
    const { max } = kernel.scores(u, 0.7);
    const { z, sumBias } = kernel.softmax(max);
    const sums = kernel.weightedSum();
    const logZ = max + Math.log(z);
    expect(Math.abs(logZ - reference.logZ)).toBeLessThan(1e-3);
    expect(sumBias / z).toBeCloseTo(reference.meanBias, 3);
    for (let d = 0; d < rows.dim; d++) expect(sums[d]! / z).toBeCloseTo(reference.meanVector![d]!, 3);
  });
});

describe('int8 kernel choice', () => {
  it('runs SIMD by default where WebAssembly SIMD runs, and keeps the table only in the module memory', () => {
    const { bias, rows } = table(100, 8, 'choice');
    const kernel = int8Kernel(rows, bias);
    expect(kernel.kind).toBe('simd-i16');
    expect(kernel.rows.codes).not.toBe(rows.codes);
    expect(Array.from(kernel.rows.codes)).toEqual(Array.from(rows.codes));
  });

  it('refuses a table whose arrays do not fit its shape', () => {
    const { bias, rows } = table(10, 8, 'bad');
    expect(() => int8Kernel({ ...rows, scales: rows.scales.subarray(1) }, bias)).toThrow(/10 scales \(9\)/);
    expect(() => int8Kernel({ ...rows, dim: 6, codes: new Int8Array(60) }, bias)).toThrow(/multiple of 4/);
  });
});
