/**
 * What a visitor's clicks become before any kernel runs: one weight per click
 * (recency × rating, normalised), the evidence behind them, and the two sparse
 * score offsets (the item-item row, the sequential row). Built once per click
 * by the driver and by initialState, so every kernel (tfjs, host, WGSL) adapts
 * on exactly the same numbers. Pure; reads the model's scalars synchronously
 * only from host-resident tensors (see `decayOf` below).
 */
import { neighbourOffset } from './neighbours';
import { decayOf, recencyWeights } from './recency';
import { seqWeights } from './transitions';
import type { AdaptModel, ClickSignals, SparseRow } from './types';

/** Signals of `clicks` (oldest first), with optional per-click rating weights (default 1). */
export function clickSignals(model: AdaptModel, clicks: Int32Array, clickWeights: Float32Array | undefined, decay: number): ClickSignals {
  const t = clicks.length;
  const recency = recencyWeights(t, decay).weights;
  let total = 0;
  const raw = new Float64Array(t);
  for (let j = 0; j < t; j++) total += raw[j] = recency[j]! * (clickWeights?.[j] ?? 1);
  const weights = Float32Array.from(raw, (w) => (total > 0 ? w / total : 0));
  const count = clickWeights ? clickWeights.reduce((a, b) => a + b, 0) : t;
  // Sparse: a few entries per click, however large the catalog (no catalog-long array per click).
  const row = (lists: AdaptModel['neighbours'], w: ArrayLike<number>): SparseRow | null => (lists ? neighbourOffset(lists, clicks, w) : null);
  return { weights, count, neighbours: row(model.neighbours, weights), transitions: row(model.transitions, seqWeights(t, decay).weights) };
}

/** The model's recency decay (1 for models trained without one). */
export async function modelDecay(model: AdaptModel): Promise<number> {
  return decayOf((await model.params.logitDecay.data())[0]!);
}
