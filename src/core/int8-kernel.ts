/**
 * The three catalog sweeps of a click on an int8 item table: scores, softmax
 * weights, softmax-weighted item sum. One interface, two implementations: the
 * WebAssembly SIMD module of int8-simd.ts (the table copied into its memory,
 * which then holds the only copy) and plain loops where SIMD is missing or
 * refused. Pure: no tfjs, no globals beyond WebAssembly.
 */

import { int8Module, type Int8Exports } from './int8-simd';
import { softmaxSums, type TableSweeps } from './simd-kernel';
import type { Int8Rows } from './int8-rows';
import { trackWasmMemory } from './wasm-memory';

/** Which sweep implementation runs: SIMD with an int16 or a float user vector, or plain loops. */
export type Int8KernelKind = 'simd-i16' | 'simd-f32' | 'loops';

/** The sweeps on `scale_i · codes_i` for V: `V·user` is `scale_i · (codes_i · user)`. */
export interface Int8Kernel extends TableSweeps {
  readonly kind: Int8KernelKind;
  /** The table the sweeps read (inside the SIMD module's memory when it runs). */
  readonly rows: Int8Rows;
  readonly bias: Float32Array;
}

export interface Int8KernelOptions {
  /** `auto` (default): SIMD with an int16 user vector where it runs, else loops. */
  readonly kind?: 'auto' | Int8KernelKind;
}

/** A kernel over `rows` and `bias` ([n]); throws if a SIMD kind is asked for where SIMD cannot run. */
export function int8Kernel(rows: Int8Rows, bias: Float32Array, options: Int8KernelOptions = {}): Int8Kernel {
  const kind = options.kind ?? 'auto';
  if (rows.dim % 4 !== 0 || rows.codes.length !== rows.n * rows.dim || rows.scales.length !== rows.n || bias.length !== rows.n) {
    throw new Error(`int8Kernel: a table of ${rows.n} rows × ${rows.dim} needs ${rows.n * rows.dim} codes (has ${rows.codes.length}), ${rows.n} scales (${rows.scales.length}) and ${rows.n} biases (${bias.length}); dim must be a multiple of 4.`);
  }
  if (kind === 'loops') return loopKernel(rows, bias);
  const simd = simdKernel(rows, bias, kind === 'simd-f32' ? 'simd-f32' : 'simd-i16');
  if (simd) return simd;
  if (kind !== 'auto') throw new Error(`int8Kernel: "${kind}" needs WebAssembly SIMD, which this environment does not run (or its Content-Security-Policy refuses); use kind "auto" or "loops".`);
  return loopKernel(rows, bias);
}

/** The largest |int16 code| of the user vector: its dot products with `dim` int8 codes must stay below 2^31. */
function userCodeMax(dim: number): number {
  return Math.min(32767, Math.floor((2 ** 31 - 1) / (dim * 127)));
}

const PAGE = 65536;
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

function simdKernel(rows: Int8Rows, bias: Float32Array, kind: 'simd-i16' | 'simd-f32'): Int8Kernel | null {
  const module = typeof WebAssembly === 'undefined' ? null : int8Module();
  if (!module) return null;
  const { n, dim } = rows;
  const groups = Math.ceil(dim / 8);
  const lanes = groups * 8;
  // Layout in bytes, every block 16-aligned: user16, user32, sums, codes (+8: the last row's group read), scales, bias, scores, weights.
  const at = { user16: 0, user32: align16(2 * lanes), sums: 0, codes: 0, scales: 0, bias: 0, scores: 0, weights: 0 };
  at.sums = at.user32 + 4 * lanes;
  at.codes = at.sums + align16(4 * Math.max(lanes, 8));
  at.scales = at.codes + align16(n * dim + 8);
  at.bias = at.scales + align16(4 * n);
  at.scores = at.bias + align16(4 * n);
  at.weights = at.scores + align16(4 * n);
  const total = at.weights + align16(4 * n);
  let memory: WebAssembly.Memory;
  try {
    memory = trackWasmMemory(new WebAssembly.Memory({ initial: Math.ceil(total / PAGE) }));
  } catch {
    return null; // more than this browser lets one module have
  }
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Int8Exports;
  const buffer = memory.buffer;
  const f32 = (byte: number, length: number) => new Float32Array(buffer, byte, length);
  const codes = new Int8Array(buffer, at.codes, n * dim);
  codes.set(rows.codes);
  const scales = f32(at.scales, n);
  scales.set(rows.scales);
  const biasView = f32(at.bias, n);
  biasView.set(bias);
  const user16 = new Int16Array(buffer, at.user16, lanes);
  const user32 = f32(at.user32, lanes);
  const sums = f32(at.sums, Math.max(lanes, 8));
  const [scores, weights] = [f32(at.scores, n), f32(at.weights, n)];
  const qmax = userCodeMax(dim);
  const n4 = n - (n % 4);
  return {
    kind,
    rows: { n, dim, codes, scales },
    bias: biasView,
    scores(user, pop) {
      if (kind === 'simd-f32') {
        user32.set(user.subarray(0, dim));
        return { scores, max: k.scores32(at.codes, at.scales, at.bias, at.user32, n, dim, groups, pop, at.scores) };
      }
      let umax = 0;
      for (let d = 0; d < dim; d++) umax = Math.max(umax, Math.abs(user[d]!));
      const uscale = umax > 0 ? umax / qmax : 1;
      for (let d = 0; d < dim; d++) user16[d] = Math.round(user[d]! / uscale);
      return { scores, max: k.scores16(at.codes, at.scales, at.bias, at.user16, n, dim, groups, pop, Math.fround(uscale), at.scores) };
    },
    softmax(max) {
      k.softmax(at.scores, at.bias, at.weights, n4, max, at.sums);
      return softmaxSums(sums, scores, weights, biasView, n4, max);
    },
    weightedSum() {
      sums.fill(0);
      k.weighted8(at.codes, at.scales, at.weights, n, dim, groups, at.sums);
      return sums.subarray(0, dim);
    },
  };
}

function loopKernel(rows: Int8Rows, bias: Float32Array): Int8Kernel {
  const { n, dim, codes, scales } = rows;
  const scores = new Float32Array(n);
  const weights = new Float32Array(n);
  const acc = new Float64Array(dim);
  const out = new Float32Array(dim);
  return {
    kind: 'loops',
    rows,
    bias,
    scores(user, pop) {
      let max = -Infinity;
      for (let i = 0, row = 0; i < n; i++, row += dim) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += codes[row + d]! * user[d]!;
        const score = Math.fround(s * scales[i]! + pop * bias[i]!);
        scores[i] = score;
        if (score > max) max = score;
      }
      return { scores, max };
    },
    softmax(max) {
      let z = 0;
      let sumBias = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.exp(scores[i]! - max);
        weights[i] = e;
        z += e;
        sumBias += e * bias[i]!;
      }
      return { z, sumBias };
    },
    weightedSum() {
      acc.fill(0);
      for (let i = 0, row = 0; i < n; i++, row += dim) {
        const w = weights[i]! * scales[i]!;
        if (w === 0) continue;
        for (let d = 0; d < dim; d++) acc[d]! += w * codes[row + d]!;
      }
      out.set(acc);
      return out;
    },
  };
}
