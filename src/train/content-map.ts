import type { SparseFeatures } from '../core/features';
import { cholesky, choleskySolve } from '../math/linalg';

/** Items' content (for content maps fitted to given item vectors): the sparse feature rows and the warm mask. */
export interface ContentMatrix {
  readonly features: SparseFeatures;
  readonly warm: Float32Array;
}

/** Ridge weight of the content regression (features are 1/sqrt(#tags)-normalised). */
const CONTENT_RIDGE = 1;

/** Up to this many features the normal equations are factored densely (f² doubles, f³/3 flops); above, solved iteratively. */
export const DENSE_CONTENT_LIMIT = 1024;

/**
 * Relative residual at which the iterative solve stops, and its iteration cap.
 * Warm items score exactly whatever the map (the residual absorbs its error),
 * so the map only has to be as exact as cold items need. Nested tags (a shop's
 * department ⊃ category ⊃ brand) make XᵀX ill-conditioned: there 2,000
 * iterations took 2 minutes a split on a 100k-item shop without reaching
 * 1e-10; the cap stops CG early, which regularises like a larger ridge.
 */
const CG_TOLERANCE = 1e-6;
const CG_MAX_ITERATIONS = 200;

/** A fitted content regression: split any item-vector table into content map + id residual. */
export interface ContentRegression {
  split(emb: Float32Array, d: number): { map: Float32Array; residual: Float32Array };
}

/**
 * Content maps for cold items: the ridge regression of the warm items' vectors
 * on their features, W = (XᵀX + μI)⁻¹ XᵀE, and the residual E − XW as the
 * id embedding, so warm items score exactly as before (X·W + residual = E) and
 * an item no training user touched gets the vector its tags predict. With a
 * small vocabulary XᵀX is factored once here; with a large one (a book
 * catalog's 12k authors, publishers and decades) it is never formed: each
 * `split` runs Jacobi-preconditioned conjugate gradients on sparse products.
 */
export function contentRegression(content: ContentMatrix, denseLimit = DENSE_CONTENT_LIMIT): ContentRegression {
  const { features, warm } = content;
  const f = features.count;
  const items = warm.length;
  const rowsOf = (i: number): [number, number] => (warm[i] === 0 ? [0, 0] : [features.ptr[i]!, features.ptr[i + 1]!]);
  const solve = f <= denseLimit ? denseSolver(features, warm, rowsOf) : iterativeSolver(features, items, rowsOf);
  return {
    split(emb, d) {
      // Xᵀ E over the warm items.
      const xte = new Float64Array(f * d);
      for (let i = 0; i < items; i++) {
        const [from, to] = rowsOf(i);
        for (let e = from; e < to; e++) {
          const [a, x] = [features.ids[e]! * d, features.weights[e]!];
          for (let q = 0; q < d; q++) xte[a + q] += x * emb[i * d + q]!;
        }
      }
      const map = solve(xte, d);
      const residual = new Float32Array(items * d);
      for (let i = 0; i < items; i++) {
        const [from, to] = rowsOf(i);
        if (from === to) continue;
        for (let q = 0; q < d; q++) {
          let predicted = 0;
          for (let e = from; e < to; e++) predicted += features.weights[e]! * map[features.ids[e]! * d + q]!;
          residual[i * d + q] = emb[i * d + q]! - predicted;
        }
      }
      return { map, residual };
    },
  };
}

type Solver = (rhs: Float64Array, d: number) => Float32Array;

/** (XᵀX + μI)⁻¹ by Cholesky, factored once. */
function denseSolver(features: SparseFeatures, warm: Float32Array, rowsOf: (i: number) => [number, number]): Solver {
  const f = features.count;
  const xtx = new Float64Array(f * f);
  for (let i = 0; i < warm.length; i++) {
    const [from, to] = rowsOf(i);
    for (let a = from; a < to; a++) {
      for (let b = from; b < to; b++) xtx[features.ids[a]! * f + features.ids[b]!] += features.weights[a]! * features.weights[b]!;
    }
  }
  for (let a = 0; a < f; a++) xtx[a * f + a] += CONTENT_RIDGE;
  cholesky(xtx, f);
  return (rhs, d) => {
    const map = new Float32Array(f * d);
    const column = new Float64Array(f);
    for (let q = 0; q < d; q++) {
      for (let a = 0; a < f; a++) column[a] = rhs[a * d + q]!;
      choleskySolve(xtx, f, column);
      for (let a = 0; a < f; a++) map[a * d + q] = column[a]!;
    }
    return map;
  };
}

/** (XᵀX + μI)⁻¹ by preconditioned conjugate gradients, the d right-hand sides side by side; O(entries × d) per iteration. */
function iterativeSolver(features: SparseFeatures, items: number, rowsOf: (i: number) => [number, number]): Solver {
  const f = features.count;
  const diagonal = new Float64Array(f).fill(CONTENT_RIDGE);
  for (let i = 0; i < items; i++) {
    const [from, to] = rowsOf(i);
    for (let e = from; e < to; e++) diagonal[features.ids[e]!] += features.weights[e]! ** 2;
  }
  // The warm items with features, as [from, to) entry ranges: the products below run over them only.
  const { ids, weights } = features;
  const ranges: number[] = [];
  for (let i = 0; i < items; i++) {
    const [from, to] = rowsOf(i);
    if (from < to) ranges.push(from, to);
  }
  const spans = Int32Array.from(ranges);
  /** out = (XᵀX + μI)·p for p [f, d]: per item, row = x_iᵀp, then out += x_i·row. Plain indexed loops: this runs d × entries × iterations times. */
  const apply = (p: Float64Array, d: number, out: Float64Array, row: Float64Array): void => {
    for (let k = 0; k < f * d; k++) out[k] = CONTENT_RIDGE * p[k]!;
    for (let s = 0; s < spans.length; s += 2) {
      const from = spans[s]!;
      const to = spans[s + 1]!;
      row.fill(0);
      for (let e = from; e < to; e++) {
        const a = ids[e]! * d;
        const x = weights[e]!;
        for (let q = 0; q < d; q++) row[q] += x * p[a + q]!;
      }
      for (let e = from; e < to; e++) {
        const a = ids[e]! * d;
        const x = weights[e]!;
        for (let q = 0; q < d; q++) out[a + q] += x * row[q]!;
      }
    }
  };
  return (rhs, d) => {
    const n = f * d;
    const [x, r, z, p, ap] = [new Float64Array(n), rhs.slice(), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    const row = new Float64Array(d);
    const columnDot = (u: Float64Array, v: Float64Array): Float64Array => {
      const out = new Float64Array(d);
      for (let a = 0; a < f; a++) for (let q = 0; q < d; q++) out[q] += u[a * d + q]! * v[a * d + q]!;
      return out;
    };
    for (let k = 0; k < n; k++) p[k] = z[k] = r[k]! / diagonal[Math.floor(k / d)]!;
    let rz = columnDot(r, z);
    const target = columnDot(rhs, rhs).map((s) => s * CG_TOLERANCE ** 2);
    for (let it = 0; it < CG_MAX_ITERATIONS; it++) {
      apply(p, d, ap, row);
      const pap = columnDot(p, ap);
      for (let k = 0; k < n; k++) {
        const q = k % d;
        const alpha = pap[q]! > 0 ? rz[q]! / pap[q]! : 0;
        x[k] += alpha * p[k]!;
        r[k] -= alpha * ap[k]!;
      }
      const rr = columnDot(r, r);
      if (rr.every((v, q) => v <= target[q]!)) break;
      for (let k = 0; k < n; k++) z[k] = r[k]! / diagonal[Math.floor(k / d)]!;
      const next = columnDot(r, z);
      for (let k = 0; k < n; k++) {
        const q = k % d;
        p[k] = z[k]! + (rz[q]! > 0 ? next[q]! / rz[q]! : 0) * p[k]!;
      }
      rz = next;
    }
    return Float32Array.from(x);
  };
}
