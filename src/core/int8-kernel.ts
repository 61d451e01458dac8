/**
 * The catalog sweeps of a click on an int8 item table: scores, softmax
 * weights, softmax-weighted item sum, in one fused pass (`sweep`: each row
 * read once, the softmax accumulated online) or as three (`scores`,
 * `softmax`, `weightedSum`; ranking needs only the first). One interface, two
 * implementations: the WebAssembly SIMD modules of int8-sweep.ts and
 * int8-simd.ts (the table copied into their memory, which then holds the only
 * copy) and plain loops where SIMD is missing or refused (int8-loops.ts).
 * Given helper threads and a shared memory, the fused sweep and the ranking's
 * scores run in parts, one per thread (int8-threads.ts). Pure: no tfjs, no
 * globals beyond WebAssembly.
 */

import { loopKernel, onlineRow } from './int8-loops';
import type { Int8Rows } from './int8-rows';
import { int8Module, type Int8Exports } from './int8-simd';
import type { FusedSweep, Int8Kernel, Int8KernelKind, SparseOffsets } from './int8-types';
import { int8SweepModule, type Int8SweepExports } from './int8-sweep';
import { MIN_ROWS_PER_PART, SweepParts, type PartBlocks, type SweepHelpers } from './int8-threads';
import { softmaxSums, type TableSweeps } from './simd-kernel';
import { trackWasmMemory } from './wasm-memory';

export type { FusedSweep, Int8Kernel, Int8KernelKind, SparseOffsets } from './int8-types';

export interface Int8KernelOptions {
  /** `auto` (default): SIMD with an int16 user vector where it runs, else loops. */
  readonly kind?: 'auto' | Int8KernelKind;
  /**
   * Threads to share the sweeps with (the int16 SIMD kind, where a shared
   * WebAssembly memory can be made: a cross-origin-isolated page). Without
   * them, or where they cannot run, the kernel sweeps on the caller's thread.
   */
  readonly helpers?: SweepHelpers;
}

/** A kernel over `rows` and `bias` ([n]); throws if a SIMD kind is asked for where SIMD cannot run. */
export function int8Kernel(rows: Int8Rows, bias: Float32Array, options: Int8KernelOptions = {}): Int8Kernel {
  const kind = options.kind ?? 'auto';
  if (rows.dim % 4 !== 0 || rows.codes.length !== rows.n * rows.dim || rows.scales.length !== rows.n || bias.length !== rows.n) {
    throw new Error(`int8Kernel: a table of ${rows.n} rows × ${rows.dim} needs ${rows.n * rows.dim} codes (has ${rows.codes.length}), ${rows.n} scales (${rows.scales.length}) and ${rows.n} biases (${bias.length}); dim must be a multiple of 4.`);
  }
  if (kind === 'loops') return loopKernel(rows, bias);
  const simd = simdKernel(rows, bias, kind === 'simd-f32' ? 'simd-f32' : 'simd-i16', options.helpers);
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

/** Whether a shared WebAssembly memory can be made here (SharedArrayBuffer: a cross-origin-isolated page, or Node). */
function sharedMemoryRuns(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

function simdKernel(rows: Int8Rows, bias: Float32Array, kind: 'simd-i16' | 'simd-f32', helpers: SweepHelpers | undefined): Int8Kernel | null {
  if (typeof WebAssembly === 'undefined') return null;
  const shared = kind === 'simd-i16' && (helpers?.count ?? 0) > 0 && rows.n >= 2 * MIN_ROWS_PER_PART && int8Module(true) !== null && int8SweepModule(rows.dim, true) !== null && sharedMemoryRuns();
  const module = int8Module(shared);
  if (!module) return null;
  const { n, dim } = rows;
  const groups = Math.ceil(dim / 8);
  const lanes = groups * 8;
  const threads = shared ? 1 + helpers!.count : 1;
  const accBytes = align16(4 * Math.max(lanes, 8));
  // Layout in bytes, every block 16-aligned: user16, user32, sums, the fused sweep's result, codes (+8: the last row's
  // group read), scales, bias, scores, weights (the three-pass softmax's; the fused sweep's sparse offsets instead,
  // a share per thread), then each helper thread's Σe·V lanes and result.
  const at = { user16: 0, user32: align16(2 * lanes), sums: 0, result: 0, codes: 0, scales: 0, bias: 0, scores: 0, weights: 0, helpers: 0 };
  at.sums = at.user32 + 4 * lanes;
  at.result = at.sums + accBytes;
  at.codes = at.result + 32;
  at.scales = at.codes + align16(n * dim + 8);
  at.bias = at.scales + align16(4 * n);
  at.scores = at.bias + align16(4 * n);
  at.weights = at.scores + align16(4 * n);
  at.helpers = at.weights + align16(4 * n);
  const total = at.helpers + (threads - 1) * (accBytes + 32);
  const pages = Math.ceil(total / PAGE);
  let memory: WebAssembly.Memory;
  try {
    memory = trackWasmMemory(new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages }));
  } catch {
    return null; // more than this browser lets one module have
  }
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Int8Exports;
  const fusedModule = int8SweepModule(dim, shared);
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
  // The fused sweep's sparse offsets live in the weights block (4n bytes), which only the three passes use: a share per thread.
  const room = Math.floor(n / (2 * threads));
  const blocks: PartBlocks[] = Array.from({ length: threads }, (_, p) => ({
    offItems: at.weights + 8 * room * p,
    offValues: at.weights + 8 * room * p + 4 * room,
    room,
    acc: p === 0 ? at.sums : at.helpers + (p - 1) * (accBytes + 32),
    result: p === 0 ? at.result : at.helpers + (p - 1) * (accBytes + 32) + accBytes,
  }));
  const parts = fused ? new SweepParts(buffer, fused, { codes: at.codes, scales: at.scales, bias: at.bias, user16: at.user16, scores: at.scores, dim, n4 }, blocks, shared && fusedModule ? helpers!.start(fusedModule, memory) : []) : null;
  /** The user vector as int16 codes in user16; returns their scale. */
  const quantizeUser = (user: Float32Array): number => {
    let umax = 0;
    for (let d = 0; d < dim; d++) umax = Math.max(umax, Math.abs(user[d]!));
    const uscale = umax > 0 ? umax / qmax : 1;
    for (let d = 0; d < dim; d++) user16[d] = Math.round(user[d]! / uscale);
    return Math.fround(uscale);
  };
  /** The last n mod 4 rows, which fill no group of four, here, with the sweep's rounding of the score; the sums in `state` go on from them. */
  const tail = (state: { max: number; z: number; sumBias: number }, pop: number, uscale: number, offsets: SparseOffsets | null, acc: Float32Array | null): void => {
    const count = offsets?.items.length ?? 0;
    let next = 0;
    while (next < count && offsets!.items[next]! < n4) next++;
    for (let i = n4; i < n; i++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += codes[i * dim + d]! * user16[d]!;
      let score = Math.fround(Math.fround(Math.fround(dot) * Math.fround(scales[i]! * uscale)) + Math.fround(Math.fround(pop) * biasView[i]!));
      while (next < count && offsets!.items[next] === i) score = Math.fround(score + offsets!.values[next++]!);
      scores[i] = score;
      onlineRow(state, score, biasView[i]!, acc, codes, i * dim, dim, scales[i]!);
    }
  };
  const kernel: Int8Kernel = {
    kind,
    rows: { n, dim, codes, scales },
    bias: biasView,
    get threads() {
      return parts?.threads ?? 1;
    },
    dispose: () => parts?.stop(),
    scores(user, pop) {
      if (kind === 'simd-f32') {
        user32.set(user.subarray(0, dim));
        return { scores, max: k.scores32(at.codes, at.scales, at.bias, at.user32, n, dim, groups, pop, at.scores) };
      }
      const uscale = quantizeUser(user);
      // With helper threads, the fused sweep without its sums (the same scores, bit for bit) in parts.
      const merged = parts && parts.threads > 1 ? parts.run(pop, uscale, null, false, sums) : null;
      if (!merged) return { scores, max: k.scores16(at.codes, at.scales, at.bias, at.user16, n, dim, groups, pop, uscale, at.scores) };
      tail(merged, pop, uscale, null, null);
      return { scores, max: merged.max };
    },
    sweep(user, pop, offsets, means) {
      // The f32-lane kind keeps the three passes (it is there for comparison), as do offsets beyond the room kept for them.
      if (!parts || kind === 'simd-f32') return threePasses(kernel, user, pop, offsets, means);
      const uscale = quantizeUser(user);
      const merged = parts.run(pop, uscale, offsets, means, sums);
      if (!merged) return threePasses(kernel, user, pop, offsets, means);
      const state = { ...merged };
      tail(state, pop, uscale, offsets, means ? sums : null);
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
