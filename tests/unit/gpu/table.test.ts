import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { checkTable, dequantizeTable, packCodes, quantizeRows, quantizeTable, unpackCodes, type FloatTable } from '../../../src/gpu/table';

describe('int8 table layout', () => {
  it('packs dimension 4q + b into byte b of word q, two\'s complement', () => {
    const codes = Int8Array.of(1, -1, 127, -127, 0, 5, -128, 64);
    const words = packCodes(codes, 8);
    expect(Array.from(words)).toEqual([0x81_7f_ff_01, 0x40_80_05_00]);
    expect(Array.from(unpackCodes(words))).toEqual(Array.from(codes));
  });

  it('quantizes each row symmetrically: scale = max |v| / 127, error at most half a step', () => {
    const rng = createRng('quantize');
    const [n, dim] = [50, 12];
    const values = Float32Array.from({ length: n * dim }, () => rng.normal() * 3);
    values.fill(0, 0, dim); // an all-zero row
    const { codes, scales } = quantizeRows(values, n, dim);
    const back = unpackCodes(codes);
    expect(scales[0]).toBe(1);
    for (let i = 0; i < n; i++) {
      const max = Math.max(...Array.from(values.subarray(i * dim, (i + 1) * dim), Math.abs));
      if (max > 0) expect(scales[i]).toBeCloseTo(max / 127, 6);
      for (let d = 0; d < dim; d++) {
        const code = back[i * dim + d]!;
        expect(Math.abs(code)).toBeLessThanOrEqual(127);
        expect(Math.abs(code * scales[i]! - values[i * dim + d]!)).toBeLessThanOrEqual(scales[i]! / 2 + 1e-6);
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
    const codes = unpackCodes(q.contextCodes!);
    plain.context!.forEach((v, j) => expect(v).toBe(Math.fround(codes[j]! * q.contextScales![Math.floor(j / dim)]!)));
    plain.vectors.forEach((v, j) => expect(Math.abs(v - table.vectors[j]!)).toBeLessThanOrEqual(q.vectorScales[Math.floor(j / dim)]! / 2 + 1e-6));
  });

  it('names the array that does not fit the table shape', () => {
    const ok: FloatTable = { format: 'float32', n: 3, dim: 4, vectors: new Float32Array(12), bias: new Float32Array(3) };
    expect(() => checkTable(ok)).not.toThrow();
    expect(() => checkTable({ ...ok, bias: new Float32Array(2) })).toThrow('Item table "bias" has 2 values, expected 3 for 3 items of dimension 4.');
    expect(() => checkTable({ ...quantizeTable({ ...ok, dim: 4 }), dim: 6 })).toThrow('multiple of 4');
    expect(() => packCodes(new Int8Array(6), 6)).toThrow('multiple of 4, got 6');
  });
});
