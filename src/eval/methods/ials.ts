import { gridSearch } from '../evaluate.js';
import { cholesky, choleskySolve } from '../../math/linalg.js';
import { factorScores } from './factor-scores.js';
import { itemCounts, transpose, userItemMatrix } from '../../math/sparse.js';
import type { FoldData } from '../../protocol/types.js';
import { sharedPiece } from '../registry.js';
import type { Method, Scorer } from '../types.js';
import { scorePrefixes } from './prefixes.js';
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
  for (let p = 0; p < d; p++) g[p * d + p] += cfg.lambda;
  let popMax = 1;
  for (const c of counts) popMax = Math.max(popMax, c);
  // The normal equations (G + λI + α Σ y yᵀ) x = (1 + α) Σ y over the support, in support order.
  const addItems = (eq: { a: Float64Array; b: Float64Array }, support: ArrayLike<number>) => {
    const { a, b } = eq;
    for (let k = 0; k < support.length; k++) {
      const o = support[k]! * d;
      for (let p = 0; p < d; p++) {
        b[p] += (1 + cfg.alpha) * items[o + p]!;
        for (let q = 0; q < d; q++) a[p * d + q] += cfg.alpha * items[o + p]! * items[o + q]!;
      }
    }
    return eq;
  };
  const fresh = (support: ArrayLike<number>) => addItems({ a: g.slice(), b: new Float64Array(d) }, support);
  const solve = ({ a, b }: { a: Float64Array; b: Float64Array }): Float64Array => {
    const l = a.slice();
    const x = b.slice();
    cholesky(l, d);
    choleskySolve(l, d, x);
    return x;
  };
  // Items no training user touched carry no signal (zero factors): ranked last, their
  // products overwritten (a fifth of Last.fm's catalog on a fold).
  const prior = Float64Array.from(counts, (c) => (1e-9 * c) / popMax);
  const cold = Int32Array.from(counts.keys()).filter((i) => !(counts[i]! > 0));
  const table = factorScores(items, nItems, d, prior);
  const scores = (equations: readonly { a: Float64Array; b: Float64Array }[]): Float64Array[] => {
    const out = table.scores(equations.map(solve));
    for (const o of out) for (const i of cold) o[i] = -1e6;
    return out;
  };
  return {
    score: async (support) => scores([fresh(support)])[0]!,
    // Protocol v2's prefixes: each prefix's equations are the previous ones plus the new item (the same floats in the same order).
    scoreMany: async (supports) => scores(scorePrefixes(supports, fresh, (prev, item) => addItems({ a: prev.a.slice(), b: prev.b.slice() }, [item]))),
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
      const train = { iterations: o.iterations, cgSteps: o.cgSteps, seed: 1000 + fold.fold };
      // A configuration's factors do not depend on the objective: protocol v1's and v2's grids share them.
      const factors = (cfg: IalsConfig) =>
        sharedPiece(ctx, `ials ${JSON.stringify({ ...train, dim: cfg.dim, alpha: cfg.alpha, lambda: cfg.lambda })}`, () => trainIals(userItems, itemUsers, cfg, train));
      const build = async (cfg: IalsConfig) => ialsScorer(factors(cfg), n, cfg, counts);
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
