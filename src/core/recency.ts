/**
 * Recency weights of a visitor's clicks: click j of t (oldest first) weighs
 * decay^(t - 1 - j), so the last click weighs most, normalised to sum 1. They
 * weigh the prototype, the item-item row and the support loss alike. The
 * derivative in the decay lets training learn it: a row built at the current
 * decay d0 plus (d - d0) times its derivative has the right value and the
 * right gradient (see core/inner effectiveSupport). Pure, tensor-free.
 */

/** Normalised weights of t clicks (oldest first) and their derivatives in the decay. */
export function recencyWeights(t: number, decay: number): { weights: Float64Array; dDecay: Float64Array } {
  const weights = new Float64Array(t);
  const dDecay = new Float64Array(t);
  if (t === 0) return { weights, dDecay };
  let total = 0;
  for (let j = 0; j < t; j++) total += weights[j] = decay ** (t - 1 - j);
  let meanAge = 0;
  for (let j = 0; j < t; j++) {
    weights[j]! /= total;
    meanAge += weights[j]! * (t - 1 - j);
  }
  // d/dρ of ρ^a / Σρ^a' is n_j (a_j − Ā) / ρ, with Ā the weighted mean age.
  if (decay > 0) for (let j = 0; j < t; j++) dDecay[j] = (weights[j]! * (t - 1 - j - meanAge)) / decay;
  return { weights, dDecay };
}

/**
 * The decay from its learned logit (sigmoid: at most 1, so the last click never
 * weighs less than an older one), rounded to float32 as the tensors compute it.
 */
export function decayOf(logit: number): number {
  return Math.fround(1 / (1 + Math.exp(-logit)));
}
