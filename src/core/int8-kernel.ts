/**
 * The catalog sweeps of a click on an int8 item table: scores, softmax
 * weights, softmax-weighted item sum, in one fused pass (`sweep`: each row
 * read once, the softmax accumulated online) or as three (`scores`,
 * `softmax`, `weightedSum`; ranking needs only the first). One interface, two
 * implementations: the WebAssembly SIMD modules of int8-sweep.ts and
 * int8-simd.ts (the table copied into their memory, which then holds the only
 * copy) and plain loops where SIMD is missing or refused. Pure: no tfjs, no
 * globals beyond WebAssembly.
 */

import { int8Module, type Int8Exports } from './int8-simd';
import { int8SweepModule, type Int8SweepExports } from './int8-sweep';
import { softmaxSums, type TableSweeps } from './simd-kernel';
import type { Int8Rows } from './int8-rows';
import { trackWasmMemory } from './wasm-memory';

/** Which sweep implementation runs: SIMD with an int16 or a float user vector, or plain loops. */
export type Int8KernelKind = 'simd-i16' | 'simd-f32' | 'loops';

/** Sparse additions to the scores (the item-item and sequential terms): item indices ascending and unique, the value each adds. */
export interface SparseOffsets {
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** One fused sweep: the scores (a buffer the next call reuses) and the softmax sums against their max. */
export interface FusedSweep {
  readonly scores: Float32Array;
  readonly max: number;
  /** Σ exp(s_i − max). */
  readonly z: number;
  /** Σ exp(s_i − max) · bias_i and Σ exp(s_i − max) · V_i ([dim], reused buffer): with `means` only (else 0 and null). */
  readonly sumBias: number;
  readonly weighted: Float32Array | null;
}

/** The sweeps on `scale_i · codes_i` for V: `V·user` is `scale_i · (codes_i · user)`. */
export interface Int8Kernel extends TableSweeps {
  readonly kind: Int8KernelKind;
  /** Scores `V·user + pop·bias + offsets` and their softmax sums (with `means`, Σe·bias and Σe·V too) in one pass over the table. */
  sweep(user: Float32Array, pop: number, offsets: SparseOffsets | null, means: boolean): FusedSweep;
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
  // Layout in bytes, every block 16-aligned: user16, user32, sums, the fused sweep's result, codes (+8: the last row's
  // group read), scales, bias, scores, weights (the three-pass softmax's; the fused sweep's sparse offsets instead).
  const at = { user16: 0, user32: align16(2 * lanes), sums: 0, result: 0, codes: 0, scales: 0, bias: 0, scores: 0, weights: 0 };
  at.sums = at.user32 + 4 * lanes;
  at.result = at.sums + align16(4 * Math.max(lanes, 8));
  at.codes = at.result + 32;
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
  const fusedModule = int8SweepModule(dim);
  const fused = fusedModule ? (new WebAssembly.Instance(fusedModule, { env: { memory } }).exports as unknown as Int8SweepExports) : null;
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
  // The fused sweep's sparse offsets live in the weights block (4n bytes), which only the three passes use.
  const offsetRoom = Math.floor(n / 2);
  const [offItems, offValues] = [new Int32Array(buffer, at.weights, offsetRoom), f32(at.weights + 4 * offsetRoom, offsetRoom)];
  const result = { max: f32(at.result, 1), consumed: new Int32Array(buffer, at.result + 4, 1), sums: new Float64Array(buffer, at.result + 8, 2) };
  /** The user vector as int16 codes in user16; returns their scale. */
  const quantizeUser = (user: Float32Array): number => {
    let umax = 0;
    for (let d = 0; d < dim; d++) umax = Math.max(umax, Math.abs(user[d]!));
    const uscale = umax > 0 ? umax / qmax : 1;
    for (let d = 0; d < dim; d++) user16[d] = Math.round(user[d]! / uscale);
    return Math.fround(uscale);
  };
  const kernel: Int8Kernel = {
    kind,
    rows: { n, dim, codes, scales },
    bias: biasView,
    scores(user, pop) {
      if (kind === 'simd-f32') {
        user32.set(user.subarray(0, dim));
        return { scores, max: k.scores32(at.codes, at.scales, at.bias, at.user32, n, dim, groups, pop, at.scores) };
      }
      return { scores, max: k.scores16(at.codes, at.scales, at.bias, at.user16, n, dim, groups, pop, quantizeUser(user), at.scores) };
    },
    sweep(user, pop, offsets, means) {
      const count = offsets?.items.length ?? 0;
      // The f32-lane kind keeps the three passes (it is there for comparison), as do offsets beyond the room kept for them.
      if (!fused || kind === 'simd-f32' || count > offsetRoom) return threePasses(kernel, user, pop, offsets, means);
      if (offsets) {
        offItems.set(offsets.items);
        offValues.set(offsets.values);
      }
      const uscale = quantizeUser(user);
      fused.sweep(at.codes, at.scales, at.bias, at.user16, n4, dim, pop, uscale, at.scores, at.weights, at.weights + 4 * offsetRoom, count, at.sums, at.result, means ? 1 : 0);
      const state = { max: result.max[0]!, z: result.sums[0]!, sumBias: result.sums[1]!, next: result.consumed[0]! };
      // The last n mod 4 rows, which fill no group of four, here, with the same rounding of the score.
      for (let i = n4; i < n; i++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += codes[i * dim + d]! * user16[d]!;
        let score = Math.fround(Math.fround(Math.fround(dot) * Math.fround(scales[i]! * uscale)) + Math.fround(Math.fround(pop) * biasView[i]!));
        while (state.next < count && offItems[state.next] === i) score = Math.fround(score + offValues[state.next++]!);
        scores[i] = score;
        onlineRow(state, score, biasView[i]!, means ? sums : null, codes, i * dim, dim, scales[i]!);
      }
      return { scores, max: state.max, z: state.z, sumBias: means ? state.sumBias : 0, weighted: means ? sums.subarray(0, dim) : null };
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
  return kernel;
}

/** One row's share of an online softmax: a rescale when `score` is a new max, then its weight into the sums (`acc`: Σe·V, when kept). */
function onlineRow(state: { max: number; z: number; sumBias: number }, score: number, bias: number, acc: Float32Array | Float64Array | null, codes: Int8Array, row: number, dim: number, scale: number): void {
  if (score > state.max) {
    const r = Math.exp(state.max - score);
    state.z *= r;
    state.sumBias *= r;
    if (acc) for (let d = 0; d < dim; d++) acc[d]! *= r;
    state.max = score;
  }
  const e = Math.exp(score - state.max);
  state.z += e;
  if (!acc) return;
  state.sumBias += e * bias;
  const w = e * scale;
  for (let d = 0; d < dim; d++) acc[d]! += w * codes[row + d]!;
}

/** The fused sweep's results from the three passes (scores, offsets added, softmax, weighted sum): what `sweep` replaces, and its reference. */
export function threePasses(kernel: TableSweeps, user: Float32Array, pop: number, offsets: SparseOffsets | null, means: boolean): FusedSweep {
  const swept = kernel.scores(user, pop);
  const { scores } = swept;
  let max = swept.max;
  for (let j = 0; j < (offsets?.items.length ?? 0); j++) {
    const i = offsets!.items[j]!;
    scores[i] = scores[i]! + offsets!.values[j]!;
    if (scores[i]! > max) max = scores[i]!;
  }
  const { z, sumBias } = kernel.softmax(max);
  return { scores, max, z, sumBias: means ? sumBias : 0, weighted: means ? kernel.weightedSum() : null };
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
    sweep(user, pop, offsets, means) {
      // As the SIMD sweep: online softmax, a rescale of the sums whenever a score exceeds the running max.
      const state = { max: -Infinity, z: 0, sumBias: 0 };
      const count = offsets?.items.length ?? 0;
      let k = 0;
      acc.fill(0);
      for (let i = 0, row = 0; i < n; i++, row += dim) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += codes[row + d]! * user[d]!;
        let score = Math.fround(s * scales[i]! + pop * bias[i]!);
        if (k < count && offsets!.items[k] === i) score = Math.fround(score + offsets!.values[k++]!);
        scores[i] = score;
        onlineRow(state, score, bias[i]!, means ? acc : null, codes, row, dim, scales[i]!);
      }
      out.set(acc);
      return { scores, max: state.max, z: state.z, sumBias: means ? state.sumBias : 0, weighted: means ? out : null };
    },
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
