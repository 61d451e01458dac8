import { gridSearch } from '../evaluate.js';
import { cholesky, choleskySolve, dot } from '../../math/linalg.js';
import { itemCounts, transpose, userItemMatrix } from '../../math/sparse.js';
import type { FoldData } from '../../protocol/types.js';
import type { Method, Scorer } from '../types.js';
import { factorGram, trainIals, type IalsConfig } from '../../math/ials.js';

export const IALS_DEFAULTS = {
  /**
   * Coordinate search, 6-7 trainings instead of the 18 of a full product: λ over a wide log grid
   * (optima move by 10-100x between datasets) at α = alphas[0] and the first dim, one decade
   * further when the best λ is at an edge, then the other α at the chosen λ, then the other dims.
   */
  dims: [32, 64],
  alphas: [10, 3, 30],
  lambdas: [10, 100, 1000],
  iterations: 10,
  cgSteps: 3,
} as const;

/** Fold-in: the new user's exact least-squares factor against the fixed item factors, then x · y_i. */
function ialsScorer(items: Float64Array, nItems: number, cfg: IalsConfig, counts: Float64Array): Scorer {
  const d = cfg.dim;
  const g = factorGram(items, nItems, d);
  let popMax = 1;
  for (const c of counts) popMax = Math.max(popMax, c);
  return {
    score: async (support) => {
      const a = g.slice();
      const b = new Float64Array(d);
      for (let p = 0; p < d; p++) a[p * d + p] += cfg.lambda;
      for (const s of support) {
        const o = s * d;
        for (let p = 0; p < d; p++) {
          b[p] += (1 + cfg.alpha) * items[o + p]!;
          for (let q = 0; q < d; q++) a[p * d + q] += cfg.alpha * items[o + p]! * items[o + q]!;
        }
      }
      cholesky(a, d);
      choleskySolve(a, d, b);
      const out = new Float64Array(nItems);
      for (let i = 0; i < nItems; i++) {
        const s = dot(items, i * d, b, 0, d);
        // Items no training user touched carry no signal (zero factors): rank them last.
        out[i] = counts[i]! > 0 ? s + (1e-9 * counts[i]!) / popMax : -1e6;
      }
      return out;
    },
  };
}

/** iALS with fold-in of the new user from the support set; dim, α and λ tuned on validation users. */
export function ials(options: Partial<{ dims: readonly number[]; alphas: readonly number[]; lambdas: readonly number[]; iterations: number; cgSteps: number }> = {}): Method {
  const o = { ...IALS_DEFAULTS, ...options };
  return {
    name: 'ials',
    fit: async (fold: FoldData, ctx) => {
      const n = fold.catalog.length;
      const userItems = userItemMatrix(fold.train.map((u) => u.items));
      const itemUsers = transpose(userItems, n);
      const counts = itemCounts(fold.train.map((u) => u.items), n);
      const build = async (cfg: IalsConfig) =>
        ialsScorer(trainIals(userItems, itemUsers, cfg, { iterations: o.iterations, cgSteps: o.cgSteps, seed: 1000 + fold.fold }), n, cfg, counts);
      const training = { iterations: o.iterations, cgSteps: o.cgSteps, foldIn: 'exact Cholesky solve against fixed item factors' };
      const byLambda = o.lambdas.map((lambda) => ({ dim: o.dims[0]!, alpha: o.alphas[0]!, lambda }));
      // A λ optimum at the edge of the grid may lie beyond it: look one decade further out.
      const lo = Math.min(...o.lambdas);
      const hi = Math.max(...o.lambdas);
      const beyond = (best: IalsConfig) =>
        o.lambdas.length < 2 ? [] : best.lambda === hi ? [{ ...best, lambda: hi * 10 }] : best.lambda === lo ? [{ ...best, lambda: lo / 10 }] : [];
      const byAlpha = (best: IalsConfig) => o.alphas.map((alpha) => ({ ...best, alpha }));
      const byDim = (best: IalsConfig) => o.dims.map((dim) => ({ ...best, dim }));
      return gridSearch('ials', [byLambda, beyond, byAlpha, byDim], build, fold.validation, ctx, training);
    },
  };
}
