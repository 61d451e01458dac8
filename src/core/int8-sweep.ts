/**
 * One sweep of a click over an int8 table (int8-rows.ts), fused: the table is
 * streamed once, and from it come each row's score, the softmax normaliser
 * and, with `means`, the softmax-weighted sums Σe·bias and Σe·V. The softmax
 * is accumulated online (running max m; when a score exceeds it, the sums so
 * far are multiplied by exp(m_old − m_new)), so the second and third pass over
 * the table of int8-simd.ts's scores16 → softmax → weighted8 are gone.
 *
 * Four rows at a time: their dot products with the int16 user vector (kept in
 * v128 locals) as scores16 computes them, summed across lanes by shuffles;
 * the four scores' exp as one f32x4 (simd-kernel.ts's Cephes expf); the
 * weighted sum re-reads the four rows while they are in L1 (holding them in
 * locals spilled registers and was slower). The module is assembled per row
 * width, so every offset is a constant. Sparse score offsets (the item-item
 * and sequential terms: ascending items, their summed values) are added
 * where the sweep meets them.
 */

import { assemble, compiledModule, F32, I32, op, V128, type AsmFunction } from './wasm-asm';

const { get, set, i32 } = op;

// Parameters, in order (addresses in bytes).
const P = { codes: 0, scales: 1, bias: 2, user16: 3, n: 4, dim: 5, pop: 6, uscale: 7, out: 8, offItems: 9, offValues: 10, offCount: 11, acc: 12, result: 13, means: 14 } as const;
const PARAMS = [I32, I32, I32, I32, I32, I32, F32, F32, I32, I32, I32, I32, I32, I32, I32];

/** e^x of the four floats in local `x` as softmax does it (x clamped at −87), using local `k`; leaves it on the stack. */
function expOf4(x: number, k: number): number[] {
  const horner = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
  return [
    ...get(x), ...op.f32x4(-87), ...op.vMax, ...set(x),
    ...get(x), ...op.f32x4(Math.LOG2E), ...op.vMul, ...op.vNearest, ...set(k),
    ...get(x), ...get(k), ...op.f32x4(0.693359375), ...op.vMul, ...op.vSub,
    ...get(k), ...op.f32x4(-2.1219444e-4), ...op.vMul, ...op.vSub, ...set(x),
    ...op.f32x4(horner[0]!),
    ...horner.slice(1).flatMap((c) => [...get(x), ...op.vMul, ...op.f32x4(c), ...op.vAdd]),
    ...get(k), ...op.vToInt, ...i32(127), ...op.iSplat, ...op.iAdd, ...i32(23), ...op.iShl, ...op.vMul,
  ];
}

/** Bytes of an i8x16.shuffle taking 32-bit lanes `lanes` (0–3 of the first operand, 4–7 of the second). */
const shuffle = (lanes: readonly number[]) => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];

/**
 * sweep(codes, scales, bias, user16, n, dim, pop, uscale, out, offItems, offValues, offCount, acc, result, means),
 * for rows `dim` codes apart (the module's own), four rows at a time (n a multiple of 4: the caller sweeps the
 * last n mod 4): out[i] = score of row i; result = [max (f32), offsets consumed (i32), Σe (f64), Σe·bias (f64)]
 * with e = exp(s − max); with means ≠ 0, acc[0..8·groups) = Σ e·scale_i·codes_i (f32 lanes; lanes past dim
 * are garbage).
 */
function sweepFunction(dim: number): AsmFunction {
  const groups = Math.ceil(dim / 8);
  const L = { i: 15, row: 16, k: 17, a: 18, m: 19, bm: 20 } as const;
  const V = { s4: 21, e4: 22, w: 23, xv: 24, pv: 25, z4: 26, zb4: 27, d01: 28, d23: 29, ew: 30, dot: 31 } as const;
  const dotOf = (r: number) => V.dot + r; // 4 i32x4
  const user = (g: number) => V.dot + 4 + g;
  const code = (r: number, g: number) => V.dot + 4 + groups + r * groups + g;
  const acc = (j: number) => V.dot + 4 + 5 * groups + j; // 2·groups f32x4
  const vectors = V.dot + 4 + 7 * groups - V.s4;
  const gs = Array.from({ length: groups }, (_, g) => g);
  const rs = [0, 1, 2, 3];
  const accs = Array.from({ length: 2 * groups }, (_, j) => j);
  const at4 = (base: number) => [...get(base), ...get(L.i), ...i32(2), ...op.shl, ...op.add]; // the address of base[i]
  const offItem = [...get(P.offItems), ...get(L.k), ...i32(2), ...op.shl, ...op.add, ...op.i32Load];
  const lanesF64 = (v: number) => [0, 1, 2, 3].flatMap((l) => [...get(v), ...op.lane(l), ...op.f64FromF32, ...(l ? op.f64Add : [])]);
  return {
    name: 'sweep',
    params: PARAMS,
    results: [],
    locals: [[4, I32], [2, F32], [vectors, V128]],
    code: [
      ...gs.flatMap((g) => [...get(P.user16), ...op.vLoadAt(16 * g), ...set(user(g))]),
      ...get(P.codes), ...set(L.row), ...op.f32(-Infinity), ...set(L.m),
      ...op.block, ...op.loop,
      ...get(L.i), ...get(P.n), ...op.geU, ...op.brIf(1),
      // Four rows' codes, once; their dot products with the user vector, summed across lanes by shuffles.
      ...rs.flatMap((r) => gs.flatMap((g) => [...get(L.row), ...op.vLoad8x8At(r * dim + 8 * g), ...set(code(r, g))])),
      ...rs.flatMap((r) => [
        ...get(code(r, 0)), ...get(user(0)), ...op.iDot16,
        ...gs.slice(1).flatMap((g) => [...get(code(r, g)), ...get(user(g)), ...op.iDot16, ...op.iAdd]),
        ...set(dotOf(r)),
      ]),
      ...get(dotOf(0)), ...get(dotOf(1)), ...shuffle([0, 1, 4, 5]), ...get(dotOf(0)), ...get(dotOf(1)), ...shuffle([2, 3, 6, 7]), ...op.iAdd, ...set(V.d01),
      ...get(dotOf(2)), ...get(dotOf(3)), ...shuffle([0, 1, 4, 5]), ...get(dotOf(2)), ...get(dotOf(3)), ...shuffle([2, 3, 6, 7]), ...op.iAdd, ...set(V.d23),
      ...get(V.d01), ...get(V.d23), ...shuffle([0, 2, 4, 6]), ...get(V.d01), ...get(V.d23), ...shuffle([1, 3, 5, 7]), ...op.iAdd,
      // s = f32(Σ) · (scale · uscale) + pop · bias, four at a time, each operation rounded as scores16 rounds it.
      ...op.vFromInt, ...at4(P.scales), ...op.vLoad, ...get(P.uscale), ...op.splat, ...op.vMul, ...op.vMul,
      ...get(P.pop), ...op.splat, ...at4(P.bias), ...op.vLoad, ...op.vMul, ...op.vAdd, ...set(V.s4),
      ...at4(P.out), ...get(V.s4), ...op.vStore,
      // Sparse offsets among these four rows (ascending: those before were consumed): added to the stored scores.
      ...op.block, ...op.loop,
      ...get(L.k), ...get(P.offCount), ...op.geU, ...op.brIf(1),
      ...offItem, ...set(L.a), ...get(L.a), ...get(L.i), ...i32(4), ...op.add, ...op.geU, ...op.brIf(1),
      ...get(P.out), ...get(L.a), ...i32(2), ...op.shl, ...op.add, ...op.tee(L.a),
      ...get(L.a), ...op.f32Load, ...get(P.offValues), ...get(L.k), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Add, ...op.f32Store,
      ...get(L.k), ...i32(1), ...op.add, ...set(L.k),
      ...op.br(0), ...op.end, ...op.end,
      ...at4(P.out), ...op.vLoad, ...set(V.s4),
      // The four's max; above the running max, what was summed so far is rescaled by exp(m_old − m_new).
      ...get(V.s4), ...get(V.s4), ...get(V.s4), ...shuffle([2, 3, 0, 1]), ...op.vMax, ...set(V.w),
      ...get(V.w), ...get(V.w), ...get(V.w), ...shuffle([1, 0, 3, 2]), ...op.vMax, ...op.lane(0), ...set(L.bm),
      ...get(L.bm), ...get(L.m), ...op.f32Gt, ...op.if,
      ...get(L.m), ...get(L.bm), ...op.f32Sub, ...op.splat, ...set(V.xv), ...expOf4(V.xv, V.pv), ...set(V.w),
      ...get(V.z4), ...get(V.w), ...op.vMul, ...set(V.z4),
      ...get(P.means), ...op.if,
      ...get(V.zb4), ...get(V.w), ...op.vMul, ...set(V.zb4),
      ...accs.flatMap((j) => [...get(acc(j)), ...get(V.w), ...op.vMul, ...set(acc(j))]),
      ...op.end,
      ...get(L.bm), ...set(L.m),
      ...op.end,
      ...get(V.s4), ...get(L.m), ...op.splat, ...op.vSub, ...set(V.xv), ...expOf4(V.xv, V.pv), ...set(V.e4),
      ...get(V.z4), ...get(V.e4), ...op.vAdd, ...set(V.z4),
      ...get(P.means), ...op.if,
      ...get(V.zb4), ...get(V.e4), ...at4(P.bias), ...op.vLoad, ...op.vMul, ...op.vAdd, ...set(V.zb4),
      // acc += e·scale · f32(codes), row by row, from the codes already loaded.
      ...get(V.e4), ...at4(P.scales), ...op.vLoad, ...op.vMul, ...set(V.ew),
      ...rs.flatMap((r) => [
        ...get(V.ew), ...get(V.ew), ...shuffle([r, r, r, r]), ...set(V.w),
        ...gs.flatMap((g) => [
          ...get(L.row), ...op.vLoad8x8At(r * dim + 8 * g), ...set(V.xv),
          ...get(acc(2 * g)), ...get(V.xv), ...op.iExtendLow16, ...op.vFromInt, ...get(V.w), ...op.vMul, ...op.vAdd, ...set(acc(2 * g)),
          ...get(acc(2 * g + 1)), ...get(V.xv), ...op.iExtendHigh16, ...op.vFromInt, ...get(V.w), ...op.vMul, ...op.vAdd, ...set(acc(2 * g + 1)),
        ]),
      ]),
      ...op.end,
      ...get(L.row), ...i32(4 * dim), ...op.add, ...set(L.row), ...get(L.i), ...i32(4), ...op.add, ...set(L.i),
      ...op.br(0), ...op.end, ...op.end,
      ...accs.flatMap((j) => [...get(P.acc), ...get(acc(j)), ...op.vStoreAt(16 * j)]),
      ...get(P.result), ...get(L.m), ...op.f32Store,
      ...get(P.result), ...get(L.k), ...op.i32StoreAt(4),
      ...get(P.result), ...lanesF64(V.z4), ...op.f64StoreAt(8),
      ...get(P.result), ...lanesF64(V.zb4), ...op.f64StoreAt(16),
    ],
  };
}

/** The module's bytes for rows `dim` codes apart (a multiple of 4): imports env.memory (`shared`: a shared one), exports `sweep`. */
export function int8SweepBytes(dim: number, shared = false): Uint8Array<ArrayBuffer> {
  return assemble([sweepFunction(dim)], { shared });
}

/** sweep's signature; addresses in bytes. */
export interface Int8SweepExports {
  sweep(codes: number, scales: number, bias: number, user16: number, n: number, dim: number, pop: number, uscale: number, out: number, offItems: number, offValues: number, offCount: number, acc: number, result: number, means: number): void;
}

/** The compiled module for rows `dim` codes apart (`shared`: over a shared memory), or null where WebAssembly SIMD is missing or refused. */
export function int8SweepModule(dim: number, shared = false): WebAssembly.Module | null {
  return compiledModule(`int8 sweep, dim ${dim}${shared ? ', shared memory' : ''}`, () => int8SweepBytes(dim, shared));
}
