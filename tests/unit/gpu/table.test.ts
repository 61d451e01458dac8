import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { checkTable, dequantizeTable, quantizeRows, quantizeTable, type FloatTable, type QuantizedTable } from '../../../src/gpu/table';

describe('int8 table layout', () => {
  it('is format v2\'s int8 rows as they are: dimension 4q + b of a row is byte b of its little-endian word q', () => {
    const codes = Int8Array.of(1, -1, 127, -127, 0, 5, -128, 64);
    // What the GPU upload reads: the codes' own bytes, four to a u32.
    const words = new Uint32Array(codes.buffer, codes.byteOffset, codes.length / 4);
    expect(Array.from(words)).toEqual([0x81_7f_ff_01, 0x40_80_05_00]);
  });

  it('quantizes each row symmetrically: scale = max |v| / levels (0 for an all-zero row), error at most half a step', () => {
    const rng = createRng('quantize');
    const [n, dim] = [50, 12];
    const values = Float32Array.from({ length: n * dim }, () => rng.normal() * 3);
    values.fill(0, 0, dim); // an all-zero row
    for (const levels of [127, 15]) {
      const { codes, scales } = quantizeRows(values, n, dim, levels);
      expect(scales[0]).toBe(0);
      for (let i = 0; i < n; i++) {
        const max = Math.max(...Array.from(values.subarray(i * dim, (i + 1) * dim), Math.abs));
        if (max > 0) expect(scales[i]).toBeCloseTo(max / levels, 6);
        for (let d = 0; d < dim; d++) {
          const code = codes[i * dim + d]!;
          expect(Math.abs(code)).toBeLessThanOrEqual(levels);
          expect(Math.abs(code * scales[i]! - values[i * dim + d]!)).toBeLessThanOrEqual(scales[i]! / 2 + 1e-6);
        }
      }
    }
  });

  it('dequantizes a quantized table to code × scale, vectors and context alike', () => {
    const rng = createRng('table');
    const [n, dim] = [9, 8];
    const table: FloatTable = {
      format: 'float32',
      n,
      dim,
      vectors: Float32Array.from({ length: n * dim }, () => rng.normal()),
      bias: Float32Array.from({ length: n }, () => rng.normal()),
      context: Float32Array.from({ length: n * dim }, () => rng.normal()),
    };
    const q = quantizeTable(table);
    checkTable(q);
    const plain = dequantizeTable(q);
    expect(plain.bias).toBe(table.bias);
    plain.context!.forEach((v, j) => expect(v).toBe(Math.fround(q.context!.codes[j]! * q.context!.scales[Math.floor(j / dim)]!)));
    plain.vectors.forEach((v, j) => expect(Math.abs(v - table.vectors[j]!)).toBeLessThanOrEqual(q.vectors.scales[Math.floor(j / dim)]! / 2 + 1e-6));
  });

  it('names the array that does not fit the table shape', () => {
    const ok: FloatTable = { format: 'float32', n: 3, dim: 4, vectors: new Float32Array(12), bias: new Float32Array(3) };
    expect(() => checkTable(ok)).not.toThrow();
    expect(() => checkTable({ ...ok, bias: new Float32Array(2) })).toThrow('Item table "bias" has 2 values, expected 3 for 3 items of dimension 4.');
    const q = quantizeTable(ok);
    expect(() => checkTable({ ...q, dim: 6 })).toThrow('multiple of 4');
    const short: QuantizedTable = { ...q, context: { n: 3, dim: 4, codes: new Int8Array(11), scales: new Float32Array(3) } };
    expect(() => checkTable(short)).toThrow('Item table "context.codes" has 11 values, expected 12 for 3 items of dimension 4.');
    expect(() => checkTable({ ...q, vectors: { ...q.vectors, n: 2 } })).toThrow('Item table "vectors" is 2 × 4 int8 rows, expected 3 × 4.');
  });
});
