/**
 * The int8 sweeps as plain loops, where WebAssembly SIMD is missing or
 * refused: the same results as the SIMD kernel's (the fused sweep's online
 * softmax included), row by row.
 */

import type { Int8Kernel } from './int8-types';
import type { Int8Rows } from './int8-rows';

/** One row's share of an online softmax: a rescale when `score` is a new max, then its weight into the sums (`acc`: Σe·V, when kept). */
export function onlineRow(state: { max: number; z: number; sumBias: number }, score: number, bias: number, acc: Float32Array | Float64Array | null, codes: Int8Array, row: number, dim: number, scale: number): void {
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

export function loopKernel(rows: Int8Rows, bias: Float32Array): Int8Kernel {
  const { n, dim, codes, scales } = rows;
  const scores = new Float32Array(n);
  const weights = new Float32Array(n);
  const acc = new Float64Array(dim);
  const out = new Float32Array(dim);
  return {
    kind: 'loops',
    rows,
    bias,
    threads: 1,
    dispose: () => {},
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
