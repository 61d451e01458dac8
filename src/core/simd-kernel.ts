/**
 * The catalog sweeps of a click, `V·u`, softmax and `Vᵀ·e`, as a small
 * WebAssembly module with 128-bit SIMD (4 floats per instruction), assembled
 * here from the instructions below rather than shipped as an opaque binary.
 * Where WebAssembly SIMD is missing or refused (e.g. a CSP without
 * 'wasm-unsafe-eval'), `simdTable` returns null and the plain loops run.
 */

import { assemble, compiledModule, F32, I32, op, V128, type AsmFunction } from './wasm-asm';
import { trackWasmMemory } from './wasm-memory';

const { get, set, i32 } = op;

// scores(v, b, u, n, dim, pop, out) -> max: out[i] = V[i]·u + pop·b[i]  (addresses in bytes)
// locals: 7 i, 8 row address, 9 d (bytes), 10 row bytes, 11 acc (v128), 12 score, 13 max
const SCORES: AsmFunction = {
  name: 'scores',
  params: [I32, I32, I32, I32, I32, F32, I32],
  results: [F32],
  locals: [[4, I32], [1, V128], [2, F32]],
  code: [
    ...get(4), ...i32(2), ...op.shl, ...set(10), ...get(0), ...set(8), ...op.f32(-Infinity), ...set(13),
    ...op.block, ...op.loop,
    ...get(7), ...get(3), ...op.geU, ...op.brIf(1),
    ...op.f32x4(0), ...set(11), ...i32(0), ...set(9),
    ...op.loop, // acc += V[i, d..d+4] * u[d..d+4]
    ...get(11), ...get(8), ...get(9), ...op.add, ...op.vLoad, ...get(2), ...get(9), ...op.add, ...op.vLoad,
    ...op.vMul, ...op.vAdd, ...set(11),
    ...get(9), ...i32(16), ...op.add, ...set(9), ...get(9), ...get(10), ...op.ltU, ...op.brIf(0),
    ...op.end,
    ...get(11), ...op.lane(0), ...get(11), ...op.lane(1), ...op.f32Add, ...get(11), ...op.lane(2), ...op.f32Add,
    ...get(11), ...op.lane(3), ...op.f32Add,
    ...get(5), ...get(1), ...get(7), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.f32Mul, ...op.f32Add, ...set(12),
    ...get(6), ...get(7), ...i32(2), ...op.shl, ...op.add, ...get(12), ...op.f32Store,
    ...get(13), ...get(12), ...op.f32Max, ...set(13),
    ...get(8), ...get(10), ...op.add, ...set(8), ...get(7), ...i32(1), ...op.add, ...set(7),
    ...op.br(0), ...op.end, ...op.end,
    ...get(13),
  ],
};

// softmax(s, b, e, n4, max, out): e[i] = exp(s[i] - max) for i < n4 (a multiple of 4);
// out[0..4) = lane sums of e, out[4..8) = lane sums of e·b.
// exp as Cephes' expf: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-6 polynomial
// (relative error ~2e-7), 2^n by writing n + 127 into the float's exponent bits.
// locals: 6 i (bytes), 7 end (bytes), 8 x, 9 Σe, 10 Σe·b, 11 n, 12 max (v128)
const horner = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
export const SOFTMAX: AsmFunction = {
  name: 'softmax',
  params: [I32, I32, I32, I32, F32, I32],
  results: [],
  locals: [[2, I32], [5, V128]],
  code: [
    ...get(4), ...op.splat, ...set(12), ...get(3), ...i32(2), ...op.shl, ...set(7),
    ...op.f32x4(0), ...set(9), ...op.f32x4(0), ...set(10),
    ...op.block, ...op.loop,
    ...get(6), ...get(7), ...op.geU, ...op.brIf(1),
    // x = max(s - max, -87): below that e^x is not a normal float
    ...get(0), ...get(6), ...op.add, ...op.vLoad, ...get(12), ...op.vSub, ...op.f32x4(-87), ...op.vMax, ...set(8),
    ...get(8), ...op.f32x4(Math.LOG2E), ...op.vMul, ...op.vNearest, ...set(11),
    ...get(8), ...get(11), ...op.f32x4(0.693359375), ...op.vMul, ...op.vSub,
    ...get(11), ...op.f32x4(-2.12194440e-4), ...op.vMul, ...op.vSub, ...set(8),
    ...op.f32x4(horner[0]!),
    ...horner.slice(1).flatMap((c) => [...get(8), ...op.vMul, ...op.f32x4(c), ...op.vAdd]),
    ...get(11), ...op.vToInt, ...i32(127), ...op.iSplat, ...op.iAdd, ...i32(23), ...op.iShl, ...op.vMul, ...set(8),
    ...get(2), ...get(6), ...op.add, ...get(8), ...op.vStore,
    ...get(9), ...get(8), ...op.vAdd, ...set(9),
    ...get(10), ...get(8), ...get(1), ...get(6), ...op.add, ...op.vLoad, ...op.vMul, ...op.vAdd, ...set(10),
    ...get(6), ...i32(16), ...op.add, ...set(6),
    ...op.br(0), ...op.end, ...op.end,
    ...get(5), ...get(9), ...op.vStore, ...get(5), ...i32(16), ...op.add, ...get(10), ...op.vStore,
  ],
};

// weighted(v, e, n, dim, acc): acc[0..dim) += Σ_i e[i]·V[i]
// locals: 5 i, 6 row address, 7 d (bytes), 8 row bytes, 9 weight (v128)
const WEIGHTED: AsmFunction = {
  name: 'weighted',
  params: [I32, I32, I32, I32, I32],
  results: [],
  locals: [[4, I32], [1, V128]],
  code: [
    ...get(3), ...i32(2), ...op.shl, ...set(8), ...get(0), ...set(6),
    ...op.block, ...op.loop,
    ...get(5), ...get(2), ...op.geU, ...op.brIf(1),
    ...get(1), ...get(5), ...i32(2), ...op.shl, ...op.add, ...op.f32Load, ...op.splat, ...set(9),
    ...i32(0), ...set(7),
    ...op.loop, // acc[d..d+4] += e[i] * V[i, d..d+4]
    ...get(4), ...get(7), ...op.add,
    ...get(4), ...get(7), ...op.add, ...op.vLoad, ...get(9), ...get(6), ...get(7), ...op.add, ...op.vLoad,
    ...op.vMul, ...op.vAdd, ...op.vStore,
    ...get(7), ...i32(16), ...op.add, ...set(7), ...get(7), ...get(8), ...op.ltU, ...op.brIf(0),
    ...op.end,
    ...get(6), ...get(8), ...op.add, ...set(6), ...get(5), ...i32(1), ...op.add, ...set(5),
    ...op.br(0), ...op.end, ...op.end,
  ],
};

/**
 * Σe and Σe·b of the softmax: the SIMD function's lane sums (`sums[0..8)`) plus
 * the last n mod 4 items, which fill no lane group, done here (their weights too).
 */
export function softmaxSums(sums: Float32Array, scores: Float32Array, weights: Float32Array, bias: Float32Array, n4: number, max: number): { z: number; sumBias: number } {
  let z = sums[0]! + sums[1]! + sums[2]! + sums[3]!;
  let sumBias = sums[4]! + sums[5]! + sums[6]! + sums[7]!;
  for (let i = n4; i < scores.length; i++) {
    const e = Math.exp(scores[i]! - max);
    weights[i] = e;
    z += e;
    sumBias += e * bias[i]!;
  }
  return { z, sumBias };
}

/** The module's bytes: imports env.memory, exports `scores`, `softmax` and `weighted`. */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  return assemble([SCORES, SOFTMAX, WEIGHTED]);
}

/** The three catalog sweeps of a click, as every table kernel (float32 SIMD, int8 SIMD or loops) runs them. */
export interface TableSweeps {
  /** `V·user + pop·bias` into a buffer reused by the next call ([n]), and their maximum. */
  scores(user: Float32Array, pop: number): { scores: Float32Array; max: number };
  /** Writes `exp(s_i − max)` of the last scores as the weights of weightedSum(); returns Σ and Σ·bias of them. */
  softmax(max: number): { z: number; sumBias: number };
  /** `Σ_i weight_i · V[i]` into a buffer reused by the next call: [dim]. */
  weightedSum(): Float32Array;
}

/** An item table copied into the kernel's memory, with its sweeps. */
export interface SimdTable extends TableSweeps {
  /** Views of the copies in the kernel's memory: [n × dim] and [n]. */
  readonly vectors: Float32Array;
  readonly bias: Float32Array;
}

const kernelModule = (): WebAssembly.Module | null => compiledModule('simd-kernel', kernelBytes);

const PAGE = 65536;

/** Copies an item table into a SIMD kernel instance, or null where the kernel cannot run (dim not a multiple of 4, no SIMD). */
export function simdTable(n: number, dim: number, vectors: Float32Array, bias: Float32Array): SimdTable | null {
  const module = dim % 4 === 0 && dim > 0 ? kernelModule() : null;
  if (!module) return null;
  // Layout in floats, every block 16-byte aligned: user, sums, V, bias, scores, weights.
  const pad = (count: number): number => Math.ceil(count / 4) * 4;
  const at = { user: 0, sums: pad(dim), vectors: pad(dim) + Math.max(pad(dim), 8) };
  const bytes = 4 * (at.vectors + n * dim + 3 * pad(n));
  let memory: WebAssembly.Memory;
  try {
    memory = trackWasmMemory(new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) }));
  } catch {
    return null; // more than this browser lets one module have
  }
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as {
    scores(v: number, b: number, u: number, n: number, dim: number, pop: number, out: number): number;
    softmax(s: number, b: number, e: number, n4: number, max: number, out: number): void;
    weighted(v: number, e: number, n: number, dim: number, acc: number): void;
  };
  const view = (offset: number, length: number) => new Float32Array(memory.buffer, 4 * offset, length);
  const biasAt = at.vectors + n * dim;
  const scoresAt = biasAt + pad(n);
  const weightsAt = scoresAt + pad(n);
  const [vectorsView, biasView] = [view(at.vectors, n * dim), view(biasAt, n)];
  vectorsView.set(vectors);
  biasView.set(bias);
  const [user, sums, scores, weights] = [view(at.user, dim), view(at.sums, Math.max(dim, 8)), view(scoresAt, n), view(weightsAt, n)];
  const n4 = n - (n % 4);
  return {
    vectors: vectorsView,
    bias: biasView,
    scores(u, pop) {
      user.set(u);
      return { scores, max: kernel.scores(4 * at.vectors, 4 * biasAt, 4 * at.user, n, dim, pop, 4 * scoresAt) };
    },
    softmax(max) {
      kernel.softmax(4 * scoresAt, 4 * biasAt, 4 * weightsAt, n4, max, 4 * at.sums);
      return softmaxSums(sums, scores, weights, biasView, n4, max);
    },
    weightedSum() {
      sums.fill(0);
      kernel.weighted(4 * at.vectors, 4 * weightsAt, n, dim, 4 * at.sums);
      return sums.subarray(0, dim);
    },
  };
}
