/**
 * One sweep of a click over an int8 table (int8-rows.ts), fused: each row's
 * codes are read once, and from them come its score, the softmax normaliser
 * and, with `means`, the softmax-weighted sums Σe·bias and Σe·V. The softmax
 * is accumulated online (running max m; when a score exceeds it, the sums so
 * far are rescaled by exp(m_old − s)), so no second and third pass over the
 * table are needed (int8-simd.ts's scores16, softmax, weighted8 did three).
 *
 * The module is assembled for one row width (`groups` of 8 codes): the user
 * vector, the row's codes and the weighted-sum accumulators stay in v128
 * locals, the codes loaded for the dot product are reused for the sum. Same
 * arithmetic as scores16 for the scores (int16 user vector, exact integer
 * dot product, times scale·uscale, plus pop·bias), the same Cephes expf as
 * simd-kernel.ts's softmax, then the sparse score offsets (the item-item and
 * sequential terms: sorted item indices and their summed values) added where
 * the sweep meets them.
 */

import { assemble, F32, F64, I32, op, V128, type AsmFunction } from './wasm-asm';

const { get, set, i32 } = op;

// Parameters, in order (addresses in bytes).
const P = { codes: 0, scales: 1, bias: 2, user16: 3, n: 4, dim: 5, pop: 6, uscale: 7, out: 8, offItems: 9, offValues: 10, offCount: 11, acc: 12, result: 13, means: 14 } as const;
const PARAMS = [I32, I32, I32, I32, I32, I32, F32, F32, I32, I32, I32, I32, I32, I32, I32];

/** exp(x) of the f32 in local `x` as softmax computes it (x clamped at −87), using local `k` for the power of two; leaves it on the stack. */
function expOf(x: number, k: number): number[] {
  const horner = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
  return [
    ...get(x), ...op.f32(-87), ...op.f32Max, ...set(x),
    ...get(x), ...op.f32(Math.LOG2E), ...op.f32Mul, ...op.f32Nearest, ...set(k),
    ...get(x), ...get(k), ...op.f32(0.693359375), ...op.f32Mul, ...op.f32Sub,
    ...get(k), ...op.f32(-2.1219444e-4), ...op.f32Mul, ...op.f32Sub, ...set(x),
    ...op.f32(horner[0]!),
    ...horner.slice(1).flatMap((c) => [...get(x), ...op.f32Mul, ...op.f32(c), ...op.f32Add]),
    ...get(k), ...op.i32FromF32Sat, ...i32(127), ...op.add, ...i32(23), ...op.shl, ...op.f32FromBits, ...op.f32Mul,
  ];
}

/**
 * sweep(codes, scales, bias, user16, n, dim, pop, uscale, out, offItems, offValues, offCount, acc, result, means):
 * out[i] = score of row i; result = [max (f32), pad, Σe (f64), Σe·bias (f64)] with e = exp(s − max);
 * with means ≠ 0, acc[0..8·groups) = Σ e·scale_i·codes_i (f32 lanes; lanes past dim are garbage).
 */
function sweepFunction(groups: number): AsmFunction {
  // Locals after the 15 parameters.
  const L = { i: 15, row: 16, k: 17, s: 18, m: 19, e: 20, x: 21, p: 22, z: 23, zb: 24, dot: 25, w: 26 };
  const user = (g: number) => 27 + g;
  const code = (g: number) => 27 + groups + g;
  const acc = (j: number) => 27 + 2 * groups + j; // 2·groups f32x4 accumulators
  const accs = Array.from({ length: 2 * groups }, (_, j) => j);
  const gs = Array.from({ length: groups }, (_, g) => g);
  const rescale = (factor: number[]) => [
    ...get(L.z), ...factor, ...op.f64FromF32, ...op.f64Mul, ...set(L.z),
    ...get(P.means), ...op.if,
    ...get(L.zb), ...factor, ...op.f64FromF32, ...op.f64Mul, ...set(L.zb),
    ...factor, ...op.splat, ...set(L.w),
    ...accs.flatMap((j) => [...get(acc(j)), ...get(L.w), ...op.vMul, ...set(acc(j))]),
    ...op.end,
  ];
  return {
    name: 'sweep',
    params: PARAMS,
    results: [],
    locals: [[3, I32], [5, F32], [2, F64], [2 + 2 * groups + 2 * groups, V128]],
    code: [
      ...gs.flatMap((g) => [...get(P.user16), ...op.vLoadAt(16 * g), ...set(user(g))]),
      ...accs.flatMap((j) => [...op.f32x4(0), ...set(acc(j))]),
      ...get(P.codes), ...set(L.row), ...op.f32(-Infinity), ...set(L.m),
      ...op.block, ...op.loop,
      ...get(L.i), ...get(P.n), ...op.geU, ...op.brIf(1),
      // The row's codes, once; their dot product with the user vector.
      ...gs.flatMap((g) => [...get(L.row), ...op.vLoad8x8At(8 * g), ...set(code(g))]),
      ...get(code(0)), ...get(user(0)), ...op.iDot16,
      ...gs.slice(1).flatMap((g) => [...get(code(g)), ...get(user(g)), ...op.iDot16, ...op.iAdd]),
      ...set(L.dot),
      // s = f32(Σ) · (scale_i · uscale) + pop · bias_i, as scores16.
      ...get(L.dot), ...op.iLane(0), ...get(L.dot), ...op.iLane(1), ...op.add, ...get(L.dot), ...op.iLane(2), ...op.add,
      ...get(L.dot), ...op.iLane(3), ...op.add, ...op.f32FromInt,
      ...get(P.scales), ...get(L.i), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...get(P.uscale), ...op.f32Mul, ...op.f32Mul,
      ...get(P.pop), ...get(P.bias), ...get(L.i), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.f32Add, ...set(L.s),
      // The next sparse offset, if it is this row's.
      ...get(L.k), ...get(P.offCount), ...op.ltU, ...op.if,
      ...get(P.offItems), ...get(L.k), ...i32(2), ...op.shl, ...op.add, ...op.i32Load, ...get(L.i), ...op.i32Eq, ...op.if,
      ...get(L.s), ...get(P.offValues), ...get(L.k), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Add, ...set(L.s),
      ...get(L.k), ...i32(1), ...op.add, ...set(L.k),
      ...op.end, ...op.end,
      ...get(P.out), ...get(L.i), ...i32(2), ...op.shl, ...op.add, ...get(L.s), ...op.f32Store,
      // A new running max: what was summed against the old one is rescaled by exp(m_old − s).
      ...get(L.s), ...get(L.m), ...op.f32Gt, ...op.if,
      ...get(L.m), ...get(L.s), ...op.f32Sub, ...set(L.x), ...expOf(L.x, L.p), ...set(L.e),
      ...rescale(get(L.e)),
      ...get(L.s), ...set(L.m),
      ...op.end,
      ...get(L.s), ...get(L.m), ...op.f32Sub, ...set(L.x), ...expOf(L.x, L.p), ...set(L.e),
      ...get(L.z), ...get(L.e), ...op.f64FromF32, ...op.f64Add, ...set(L.z),
      ...get(P.means), ...op.if,
      ...get(L.zb), ...get(L.e), ...op.f64FromF32,
      ...get(P.bias), ...get(L.i), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f64FromF32, ...op.f64Mul, ...op.f64Add, ...set(L.zb),
      // acc += e·scale_i · f32(codes), from the codes already loaded.
      ...get(L.e), ...get(P.scales), ...get(L.i), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.splat, ...set(L.w),
      ...gs.flatMap((g) => [
        ...get(acc(2 * g)), ...get(code(g)), ...op.iExtendLow16, ...op.vFromInt, ...get(L.w), ...op.vMul, ...op.vAdd, ...set(acc(2 * g)),
        ...get(acc(2 * g + 1)), ...get(code(g)), ...op.iExtendHigh16, ...op.vFromInt, ...get(L.w), ...op.vMul, ...op.vAdd, ...set(acc(2 * g + 1)),
      ]),
      ...op.end,
      ...get(L.row), ...get(P.dim), ...op.add, ...set(L.row), ...get(L.i), ...i32(1), ...op.add, ...set(L.i),
      ...op.br(0), ...op.end, ...op.end,
      ...accs.flatMap((j) => [...get(P.acc), ...get(acc(j)), ...op.vStoreAt(16 * j)]),
      ...get(P.result), ...get(L.m), ...op.f32Store,
      ...get(P.result), ...get(L.z), ...op.f64StoreAt(8),
      ...get(P.result), ...get(L.zb), ...op.f64StoreAt(16),
    ],
  };
}

/** The module's bytes for rows of `groups` × 8 codes: imports env.memory, exports `sweep`. */
export function int8SweepBytes(groups: number): Uint8Array<ArrayBuffer> {
  return assemble([sweepFunction(groups)]);
}

/** sweep's signature; addresses in bytes. */
export interface Int8SweepExports {
  sweep(codes: number, scales: number, bias: number, user16: number, n: number, dim: number, pop: number, uscale: number, out: number, offItems: number, offValues: number, offCount: number, acc: number, result: number, means: number): void;
}

const compiled = new Map<number, WebAssembly.Module | null>();

/** The compiled module for rows of `groups` × 8 codes, or null where WebAssembly SIMD is missing or refused. */
export function int8SweepModule(groups: number): WebAssembly.Module | null {
  if (!compiled.has(groups)) {
    let module: WebAssembly.Module | null = null;
    try {
      const bytes = int8SweepBytes(groups);
      module = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
    compiled.set(groups, module);
  }
  return compiled.get(groups)!;
}
