// The iALS baseline's fold-in scores, x_j · y_i + prior_i for every item i and
// every prefix j of a user: protocol v2 scores ~50 prefixes per user against
// the whole catalog, which made this loop most of iALS's evaluation time. A
// small WebAssembly module with 128-bit SIMD (two doubles per instruction)
// computes each product with linalg.dot's four partial sums in its order,
// lanes (s0, s1) and (s2, s3), summed as dot sums them: the very same doubles.
// Where WebAssembly SIMD is missing, or the dimension is not a multiple of 4,
// the plain loop runs.
import { assemble, compiledModule, I32, op, V128, type AsmFunction } from '../../core/wasm-asm.js';
import { dot } from '../../math/linalg.js';

const { get, set, i32 } = op;

// scores(items, prior, x, users, n, rowBytes, out): out[j·n + i] = items_i · x_j + prior[i]  (addresses in bytes)
// locals: 7 i, 8 row address, 9 j, 10 x_j address, 11 t (bytes), 12 acc (s0, s1), 13 acc (s2, s3), 14 prior_i, 15 out address, 16 n·8
const SCORES: AsmFunction = {
  name: 'scores',
  params: [I32, I32, I32, I32, I32, I32, I32],
  results: [],
  locals: [[5, I32], [2, V128], [1, 0x7c], [2, I32]],
  code: [
    ...get(4), ...i32(3), ...op.shl, ...set(16), ...get(0), ...set(8),
    ...op.block, ...op.loop,
    ...get(7), ...get(4), ...op.geU, ...op.brIf(1),
    ...get(1), ...get(7), ...i32(3), ...op.shl, ...op.add, ...op.f64Load, ...set(14),
    ...i32(0), ...set(9), ...get(2), ...set(10), ...get(6), ...get(7), ...i32(3), ...op.shl, ...op.add, ...set(15),
    ...op.block, ...op.loop,
    ...get(9), ...get(3), ...op.geU, ...op.brIf(1),
    ...op.f32x4(0), ...set(12), ...op.f32x4(0), ...set(13), ...i32(0), ...set(11),
    ...op.loop, // (s0, s1) += y[t..t+2) · x[t..t+2); (s2, s3) += y[t+2..t+4) · x[t+2..t+4)
    ...get(12), ...get(8), ...get(11), ...op.add, ...op.vLoad, ...get(10), ...get(11), ...op.add, ...op.vLoad, ...op.dMul, ...op.dAdd, ...set(12),
    ...get(13), ...get(8), ...get(11), ...op.add, ...op.vLoadAt(16), ...get(10), ...get(11), ...op.add, ...op.vLoadAt(16), ...op.dMul, ...op.dAdd, ...set(13),
    ...get(11), ...i32(32), ...op.add, ...set(11), ...get(11), ...get(5), ...op.ltU, ...op.brIf(0),
    ...op.end,
    // s0 + s1 + (s2 + s3) + prior_i
    ...get(15),
    ...get(12), ...op.dLane(0), ...get(12), ...op.dLane(1), ...op.f64Add, ...get(13), ...op.dLane(0), ...get(13), ...op.dLane(1), ...op.f64Add, ...op.f64Add,
    ...get(14), ...op.f64Add, ...op.f64StoreAt(0),
    ...get(15), ...get(16), ...op.add, ...set(15), ...get(10), ...get(5), ...op.add, ...set(10), ...get(9), ...i32(1), ...op.add, ...set(9),
    ...op.br(0), ...op.end, ...op.end,
    ...get(8), ...get(5), ...op.add, ...set(8), ...get(7), ...i32(1), ...op.add, ...set(7),
    ...op.br(0), ...op.end, ...op.end,
  ],
};

const PAGE = 65536;
const scoresModule = (): WebAssembly.Module | null => compiledModule('iALS fold-in scores', () => assemble([SCORES]));

/** Scores of users' factors against one item-factor table: `scores(xs)[j][i]` = dot(items, i·dim, xs[j], 0, dim) + prior[i]. */
export interface FactorScores {
  scores(xs: readonly Float64Array[]): Float64Array[];
  /** Whether the SIMD module runs (else the plain loop). */
  readonly simd: boolean;
}

/** The table `items` ([n, dim], row-major) with its per-item `prior`, copied once into the module's memory when SIMD runs. */
export function factorScores(items: Float64Array, n: number, dim: number, prior: Float64Array): FactorScores {
  const module = dim > 0 && dim % 4 === 0 ? scoresModule() : null;
  if (!module) {
    return {
      simd: false,
      scores: (xs) =>
        xs.map((x) => {
          const out = new Float64Array(n);
          for (let i = 0; i < n; i++) out[i] = dot(items, i * dim, x, 0, dim) + prior[i]!;
          return out;
        }),
    };
  }
  const tableBytes = (n * dim + n) * 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(tableBytes / PAGE) });
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as { scores: (...a: number[]) => void };
  new Float64Array(memory.buffer, 0, n * dim).set(items);
  new Float64Array(memory.buffer, n * dim * 8, n).set(prior);
  return {
    simd: true,
    scores(xs) {
      const users = xs.length;
      if (users === 0) return [];
      const need = tableBytes + (users * dim + users * n) * 8;
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const xAt = tableBytes;
      const outAt = xAt + users * dim * 8;
      const x = new Float64Array(memory.buffer, xAt, users * dim);
      xs.forEach((v, j) => x.set(v, j * dim));
      kernel.scores(0, n * dim * 8, xAt, users, n, dim * 8, outAt);
      return xs.map((_, j) => new Float64Array(memory.buffer.slice(outAt + j * n * 8, outAt + (j + 1) * n * 8)));
    },
  };
}
