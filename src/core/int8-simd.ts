/**
 * The catalog sweeps of a click on an int8 table (int8-rows.ts), as a
 * WebAssembly SIMD module assembled like simd-kernel.ts's:
 *
 * - `scores16`: the user vector quantized to int16, each row's codes loaded
 *   eight at a time sign-extended to i16 (`v128.load8x8_s`) and multiplied by
 *   `i32x4.dot_i16x8_s` (8 products and 4 adds per instruction), the integer
 *   sum times the row's scale. Exact integer arithmetic; the only error is the
 *   user vector's int16 rounding (relative 1.5e-5 of its largest coordinate).
 * - `scores32`: the same codes widened to f32 lanes against the float user
 *   vector (kept for comparison: bench/int8-kernel.ts measures both).
 * - `weighted8`: `Σ_i e_i · scale_i · codes_i` in f32 lanes, the softmax-weighted
 *   item sum a gradient step needs.
 *
 * Rows are `dim` bytes apart (dim a multiple of 4) and read in groups of 8, so a
 * row of 4·odd codes reads 4 bytes of the next row: the user's padding lanes
 * are 0 (the product vanishes) and 8 bytes follow the last row.
 */

import { SOFTMAX } from './simd-kernel';
import { assemble, compiledModule, F32, I32, op, V128, type AsmFunction } from './wasm-asm';

const { get, set, i32 } = op;

// scores16(codes, scales, bias, user16, n, dim, groups, pop, uscale, out) -> max
// locals: 10 i, 11 row address, 12 g (bytes in the row), 13 end of groups, 14 acc (v128), 15 score, 16 max
const SCORES16: AsmFunction = {
  name: 'scores16',
  params: [I32, I32, I32, I32, I32, I32, I32, F32, F32, I32],
  results: [F32],
  locals: [[4, I32], [1, V128], [2, F32]],
  code: [
    ...get(6), ...i32(3), ...op.shl, ...set(13), ...get(0), ...set(11), ...op.f32(-Infinity), ...set(16),
    ...op.block, ...op.loop,
    ...get(10), ...get(4), ...op.geU, ...op.brIf(1),
    ...op.f32x4(0), ...set(14), ...i32(0), ...set(12),
    ...op.loop, // acc += dot(codes[i, g..g+8], user16[g..g+8])
    ...get(14), ...get(11), ...get(12), ...op.add, ...op.vLoad8x8,
    ...get(3), ...get(12), ...i32(1), ...op.shl, ...op.add, ...op.vLoad,
    ...op.iDot16, ...op.iAdd, ...set(14),
    ...get(12), ...i32(8), ...op.add, ...set(12), ...get(12), ...get(13), ...op.ltU, ...op.brIf(0),
    ...op.end,
    ...get(14), ...op.iLane(0), ...get(14), ...op.iLane(1), ...op.add, ...get(14), ...op.iLane(2), ...op.add,
    ...get(14), ...op.iLane(3), ...op.add, ...op.f32FromInt,
    ...get(1), ...get(10), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...get(8), ...op.f32Mul, ...op.f32Mul,
    ...get(7), ...get(2), ...get(10), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.f32Add, ...set(15),
    ...get(9), ...get(10), ...i32(2), ...op.shl, ...op.add, ...get(15), ...op.f32Store,
    ...get(16), ...get(15), ...op.f32Max, ...set(16),
    ...get(11), ...get(5), ...op.add, ...set(11), ...get(10), ...i32(1), ...op.add, ...set(10),
    ...op.br(0), ...op.end, ...op.end,
    ...get(16),
  ],
};

// The low or high four of eight codes (an i16x8 from vLoad8x8) as f32x4.
const widenLow = (codes: number[]) => [...codes, ...op.iExtendLow16, ...op.vFromInt];
const widenHigh = (codes: number[]) => [...codes, ...op.iExtendHigh16, ...op.vFromInt];

// scores32(codes, scales, bias, user32, n, dim, groups, pop, out) -> max
// locals: 9 i, 10 row address, 11 g, 12 end of groups, 13 acc (v128), 14 c16 (v128), 15 score, 16 max
const SCORES32: AsmFunction = {
  name: 'scores32',
  params: [I32, I32, I32, I32, I32, I32, I32, F32, I32],
  results: [F32],
  locals: [[4, I32], [2, V128], [2, F32]],
  code: [
    ...get(6), ...i32(3), ...op.shl, ...set(12), ...get(0), ...set(10), ...op.f32(-Infinity), ...set(16),
    ...op.block, ...op.loop,
    ...get(9), ...get(4), ...op.geU, ...op.brIf(1),
    ...op.f32x4(0), ...set(13), ...i32(0), ...set(11),
    ...op.loop, // acc += f32(codes[i, g..g+4]) * u[g..g+4] + f32(codes[i, g+4..g+8]) * u[g+4..g+8]
    ...get(10), ...get(11), ...op.add, ...op.vLoad8x8, ...set(14),
    ...get(13),
    ...widenLow(get(14)), ...get(3), ...get(11), ...i32(2), ...op.shl, ...op.add, ...op.vLoad, ...op.vMul, ...op.vAdd,
    ...widenHigh(get(14)), ...get(3), ...get(11), ...i32(2), ...op.shl, ...op.add, ...i32(16), ...op.add, ...op.vLoad, ...op.vMul, ...op.vAdd,
    ...set(13),
    ...get(11), ...i32(8), ...op.add, ...set(11), ...get(11), ...get(12), ...op.ltU, ...op.brIf(0),
    ...op.end,
    ...get(13), ...op.lane(0), ...get(13), ...op.lane(1), ...op.f32Add, ...get(13), ...op.lane(2), ...op.f32Add,
    ...get(13), ...op.lane(3), ...op.f32Add,
    ...get(1), ...get(9), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul,
    ...get(7), ...get(2), ...get(9), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.f32Add, ...set(15),
    ...get(8), ...get(9), ...i32(2), ...op.shl, ...op.add, ...get(15), ...op.f32Store,
    ...get(16), ...get(15), ...op.f32Max, ...set(16),
    ...get(10), ...get(5), ...op.add, ...set(10), ...get(9), ...i32(1), ...op.add, ...set(9),
    ...op.br(0), ...op.end, ...op.end,
    ...get(16),
  ],
};

// weighted8(codes, scales, e, n, dim, groups, acc): acc[0..8·groups) += Σ_i e[i]·scales[i]·codes[i]
// locals: 7 i, 8 row address, 9 g, 10 end of groups, 11 weight (v128), 12 c16 (v128), 13 acc address
const WEIGHTED8: AsmFunction = {
  name: 'weighted8',
  params: [I32, I32, I32, I32, I32, I32, I32],
  results: [],
  locals: [[4, I32], [2, V128], [1, I32]],
  code: [
    ...get(5), ...i32(3), ...op.shl, ...set(10), ...get(0), ...set(8),
    ...op.block, ...op.loop,
    ...get(7), ...get(3), ...op.geU, ...op.brIf(1),
    ...get(2), ...get(7), ...i32(2), ...op.shl, ...op.add, ...op.f32Load,
    ...get(1), ...get(7), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.splat, ...set(11),
    ...i32(0), ...set(9),
    ...op.loop, // acc[g..g+8] += weight · f32(codes[i, g..g+8])
    ...get(8), ...get(9), ...op.add, ...op.vLoad8x8, ...set(12),
    ...get(6), ...get(9), ...i32(2), ...op.shl, ...op.add, ...set(13),
    ...get(13), ...get(13), ...op.vLoad, ...widenLow(get(12)), ...get(11), ...op.vMul, ...op.vAdd, ...op.vStore,
    ...get(13), ...i32(16), ...op.add, ...get(13), ...i32(16), ...op.add, ...op.vLoad,
    ...widenHigh(get(12)), ...get(11), ...op.vMul, ...op.vAdd, ...op.vStore,
    ...get(9), ...i32(8), ...op.add, ...set(9), ...get(9), ...get(10), ...op.ltU, ...op.brIf(0),
    ...op.end,
    ...get(8), ...get(4), ...op.add, ...set(8), ...get(7), ...i32(1), ...op.add, ...set(7),
    ...op.br(0), ...op.end, ...op.end,
  ],
};

/** The module's bytes: imports env.memory (`shared`: a shared one), exports `scores16`, `scores32`, `softmax` and `weighted8`. */
export function int8KernelBytes(shared = false): Uint8Array<ArrayBuffer> {
  return assemble([SCORES16, SCORES32, SOFTMAX, WEIGHTED8], { shared });
}

/** The module's exports; addresses in bytes. */
export interface Int8Exports {
  scores16(codes: number, scales: number, bias: number, user16: number, n: number, dim: number, groups: number, pop: number, uscale: number, out: number): number;
  scores32(codes: number, scales: number, bias: number, user32: number, n: number, dim: number, groups: number, pop: number, out: number): number;
  softmax(s: number, b: number, e: number, n4: number, max: number, out: number): void;
  weighted8(codes: number, scales: number, e: number, n: number, dim: number, groups: number, acc: number): void;
}

/**
 * The compiled module (`shared`: over a shared memory), or null where
 * WebAssembly SIMD (or, shared, its threads) is missing or refused (CSP
 * without 'wasm-unsafe-eval').
 */
export function int8Module(shared = false): WebAssembly.Module | null {
  return compiledModule(`int8 kernel${shared ? ', shared memory' : ''}`, () => int8KernelBytes(shared));
}
