import { cholesky, choleskySolve } from '../math/linalg';

/** Items' content (for content maps fitted to given item vectors): the multi-hot feature matrix [items, features] (feature 0 constant) and the warm mask. */
export interface ContentMatrix {
  readonly features: Float32Array;
  readonly count: number;
  readonly warm: Float32Array;
}

/** Ridge weight of the content regression (features are 1/sqrt(#tags)-normalised). */
const CONTENT_RIDGE = 1;

/** A fitted content regression: split any item-vector table into content map + id residual. */
export interface ContentRegression {
  split(emb: Float32Array, d: number): { map: Float32Array; residual: Float32Array };
}

/**
 * Content maps for cold items: the ridge regression of the warm items' vectors
 * on their features, W = (XᵀX + μI)⁻¹ XᵀE, and the residual E − XW as the
 * id embedding, so warm items score exactly as before (X·W + residual = E) and
 * an item no training user touched gets the vector its tags predict. XᵀX is
 * factored once here; each `split` only solves for its own targets.
 */
export function contentRegression(content: ContentMatrix): ContentRegression {
  const f = content.count;
  const items = content.warm.length;
  // Column indices of each warm item's nonzero features (items have a few tags).
  const nonzero: number[][] = [];
  const xtx = new Float64Array(f * f);
  for (let i = 0; i < items; i++) {
    const cols: number[] = [];
    if (content.warm[i] !== 0) for (let c = 0; c < f; c++) if (content.features[i * f + c] !== 0) cols.push(c);
    nonzero.push(cols);
    for (const a of cols) for (const b of cols) xtx[a * f + b] += content.features[i * f + a]! * content.features[i * f + b]!;
  }
  for (let a = 0; a < f; a++) xtx[a * f + a] += CONTENT_RIDGE;
  cholesky(xtx, f);
  return {
    split(emb, d) {
      const xte = new Float64Array(f * d);
      for (let i = 0; i < items; i++) {
        for (const a of nonzero[i]!) {
          const xa = content.features[i * f + a]!;
          for (let q = 0; q < d; q++) xte[a * d + q] += xa * emb[i * d + q]!;
        }
      }
      const map = new Float32Array(f * d);
      const column = new Float64Array(f);
      for (let q = 0; q < d; q++) {
        for (let a = 0; a < f; a++) column[a] = xte[a * d + q]!;
        choleskySolve(xtx, f, column);
        for (let a = 0; a < f; a++) map[a * d + q] = column[a]!;
      }
      const residual = new Float32Array(items * d);
      for (let i = 0; i < items; i++) {
        if (content.warm[i] === 0) continue;
        for (let q = 0; q < d; q++) {
          let predicted = 0;
          for (const a of nonzero[i]!) predicted += content.features[i * f + a]! * map[a * d + q]!;
          residual[i * d + q] = emb[i * d + q]! - predicted;
        }
      }
      return { map, residual };
    },
  };
}
