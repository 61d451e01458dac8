// Implicit ALS (Hu, Koren & Volinsky 2008) on binary positives with confidence 1 + α. Rows with many
// positives take a few warm-started conjugate-gradient steps; the many rows with 1-3 positives
// (rare items) are solved exactly and more cheaply by Woodbury.
import { cholesky, choleskySolve, dot, spdInverse } from './linalg';
import { createRng } from './rng';
import type { Csr } from './sparse';

export interface IalsConfig {
  readonly dim: number;
  readonly alpha: number;
  readonly lambda: number;
}

/** Gram matrix F^T F (d × d) of a row-major factor matrix with `rows` rows. */
export function factorGram(f: Float64Array, rows: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    for (let a = 0; a < d; a++) {
      const fa = f[o + a]!;
      if (fa === 0) continue;
      for (let b = 0; b <= a; b++) g[a * d + b] += fa * f[o + b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[b * d + a] = g[a * d + b]!;
  return g;
}

/** Rows with at most this many positives are solved exactly by Woodbury (cheaper than CG there). */
const WOODBURY_MAX = 3;

/**
 * Exact x = (K + α F^T F)^-1 (1+α) F^T 1 for the m = rows.length factor rows F of `f`, given
 * kinv = K^-1 (d × d): by Woodbury, x = Z^T ((1+α) 1 - y) with Z = F K^-1, (W + I/α) y = (1+α) W 1, W = F Z^T.
 * Costs m d^2 + m^2 d, versus ~4 d^2 for three CG steps.
 */
export function woodburySolve(kinv: Float64Array, d: number, f: Float64Array, rows: ArrayLike<number>, alpha: number, out: Float64Array, outOffset: number): void {
  const m = rows.length;
  const z = new Float64Array(m * d);
  for (let r = 0; r < m; r++) for (let a = 0; a < d; a++) z[r * d + a] = dot(kinv, a * d, f, rows[r]! * d, d);
  const s = new Float64Array(m * m);
  const y = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      const w = dot(f, rows[r]! * d, z, c * d, d);
      s[r * m + c] = w + (r === c ? 1 / alpha : 0);
      y[r] += (1 + alpha) * w;
    }
  }
  cholesky(s, m);
  choleskySolve(s, m, y);
  for (let a = 0; a < d; a++) {
    let v = 0;
    for (let r = 0; r < m; r++) v += z[r * d + a]! * (1 + alpha - y[r]!);
    out[outOffset + a] = v;
  }
}

/** Solves every row of `x` against fixed factors `f`: (G + λI + α Σ f_s f_s^T) x_r = (1+α) Σ f_s. */
function solveRows(x: Float64Array, m: Csr, f: Float64Array, g: Float64Array, cfg: IalsConfig, cgSteps: number): void {
  const d = cfg.dim;
  const r = new Float64Array(d);
  const p = new Float64Array(d);
  const ap = new Float64Array(d);
  const k = g.slice();
  for (let a = 0; a < d; a++) k[a * d + a] += cfg.lambda;
  const kinv = spdInverse(k, d);
  const apply = (v: Float64Array, out: Float64Array, lo: number, hi: number): void => {
    for (let a = 0; a < d; a++) out[a] = dot(g, a * d, v, 0, d) + cfg.lambda * v[a]!;
    for (let q = lo; q < hi; q++) {
      const o = m.cols[q]! * d;
      const w = cfg.alpha * dot(f, o, v, 0, d);
      for (let a = 0; a < d; a++) out[a] += w * f[o + a]!;
    }
  };
  const xr = new Float64Array(d);
  for (let row = 0; row < m.rows; row++) {
    const lo = m.ptr[row]!;
    const hi = m.ptr[row + 1]!;
    const o = row * d;
    if (hi - lo <= WOODBURY_MAX) {
      // No positives: the least-squares answer is exactly 0 (such items are never scored anyway).
      if (hi === lo) x.fill(0, o, o + d);
      else woodburySolve(kinv, d, f, m.cols.subarray(lo, hi), cfg.alpha, x, o);
      continue;
    }
    // Warm-started conjugate gradient (Takács et al.): a few steps per sweep suffice.
    for (let a = 0; a < d; a++) xr[a] = x[o + a]!;
    apply(xr, ap, lo, hi);
    for (let a = 0; a < d; a++) r[a] = -ap[a]!;
    for (let q = lo; q < hi; q++) for (let a = 0; a < d; a++) r[a] += (1 + cfg.alpha) * f[m.cols[q]! * d + a]!;
    p.set(r);
    let rs = dot(r, 0, r, 0, d);
    for (let step = 0; step < cgSteps && rs > 1e-12; step++) {
      apply(p, ap, lo, hi);
      const step_ = rs / dot(p, 0, ap, 0, d);
      for (let a = 0; a < d; a++) {
        xr[a] += step_ * p[a]!;
        r[a] -= step_ * ap[a]!;
      }
      const next = dot(r, 0, r, 0, d);
      for (let a = 0; a < d; a++) p[a] = r[a]! + (next / rs) * p[a]!;
      rs = next;
    }
    for (let a = 0; a < d; a++) x[o + a] = xr[a]!;
  }
}

/** Trains item factors (items × dim, row-major) from the user × item and item × user matrices. */
export function trainIals(
  userItems: Csr,
  itemUsers: Csr,
  cfg: IalsConfig,
  options: { iterations: number; cgSteps: number; seed: number },
): Float64Array {
  return trainIalsWithin(userItems, itemUsers, cfg, options).items;
}

/**
 * trainIals that may end early: `outOfTime` is asked after each iteration (so at least one
 * runs) and a true answer keeps the factors so far. Every iteration leaves a valid solution
 * (the user and item rows each solved against the other side), so they are a usable start.
 */
export function trainIalsWithin(
  userItems: Csr,
  itemUsers: Csr,
  cfg: IalsConfig,
  options: { iterations: number; cgSteps: number; seed: number; outOfTime?: () => boolean },
): { items: Float64Array; iterations: number } {
  const d = cfg.dim;
  const rand = createRng(options.seed).next;
  const users = new Float64Array(userItems.rows * d);
  const items = Float64Array.from({ length: itemUsers.rows * d }, () => (rand() - 0.5) * (0.2 / Math.sqrt(d)));
  let it = 0;
  while (it < options.iterations) {
    solveRows(users, userItems, items, factorGram(items, itemUsers.rows, d), cfg, options.cgSteps);
    solveRows(items, itemUsers, users, factorGram(users, userItems.rows, d), cfg, options.cgSteps);
    it += 1;
    if (it < options.iterations && options.outOfTime?.()) break;
  }
  return { items, iterations: it };
}
