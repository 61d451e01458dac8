import { cholesky, choleskySolve } from '../eval/linalg';

/** Items' content (for content maps fitted to given item vectors): the multi-hot feature matrix [items, features] (feature 0 constant) and the warm mask. */
export interface ContentMatrix {
  readonly features: Float32Array;
  readonly count: number;
  readonly warm: Float32Array;
}

/** Ridge weight of the content regression (features are 1/sqrt(#tags)-normalised). */
const CONTENT_RIDGE = 1;

/**
 * Content maps for cold items: the ridge regression of the warm items' vectors
 * on their features, W = (XᵀX + μI)⁻¹ XᵀE, and the residual E − XW as the
 * id embedding, so warm items score exactly as before (X·W + residual = E) and
 * an item no training user touched gets the vector its tags predict.
 */
export function contentSplit(emb: Float32Array, d: number, content: ContentMatrix): { map: Float32Array; residual: Float32Array } {
  const f = content.count;
  const items = content.warm.length;
  const xtx = new Float64Array(f * f);
  const xte = new Float64Array(f * d);
  const nonzero: number[] = [];
  for (let i = 0; i < items; i++) {
    if (content.warm[i] === 0) continue;
    nonzero.length = 0;
    for (let c = 0; c < f; c++) if (content.features[i * f + c] !== 0) nonzero.push(c);
    for (const a of nonzero) {
      const xa = content.features[i * f + a]!;
      for (const b of nonzero) xtx[a * f + b] += xa * content.features[i * f + b]!;
      for (let q = 0; q < d; q++) xte[a * d + q] += xa * emb[i * d + q]!;
    }
  }
  for (let a = 0; a < f; a++) xtx[a * f + a] += CONTENT_RIDGE;
  cholesky(xtx, f);
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
      for (let a = 0; a < f; a++) {
        const x = content.features[i * f + a]!;
        if (x !== 0) predicted += x * map[a * d + q]!;
      }
      residual[i * d + q] = emb[i * d + q]! - predicted;
    }
  }
  return { map, residual };
}
