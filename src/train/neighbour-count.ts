import * as tf from '@tensorflow/tfjs-core';
import type { ItemInputs } from '../core/model';
import type { Neighbours } from '../core/neighbours';
import type { MetaParams } from '../core/params';
import type { UserPositives } from '../eval/types';
import { episodeNdcg } from './episodes';

/**
 * How many item-item neighbours a shipped model keeps per item: a few counts
 * tried on the validation users, and the smallest within COUNT_TOLERANCE of the
 * best kept. The lists are most of what a visitor downloads (format v2: ~1–2
 * bytes per neighbour), so a count that validates as well costs less for nothing.
 */
export const NEIGHBOUR_COUNTS: readonly number[] = [10, 20, 50];

/** Relative validation loss accepted for a smaller count (the same 0.5% the format's quality target allows). */
export const COUNT_TOLERANCE = 0.005;

/** The first `count` neighbours of every item (the lists are sorted most similar first). */
export function truncateNeighbours(neighbours: Neighbours, count: number): Neighbours {
  const { m } = neighbours;
  if (count >= m) return neighbours;
  const items = neighbours.ids.length / m;
  const ids = new Int32Array(items * count);
  const sims = new Float32Array(items * count);
  for (let i = 0; i < items; i++) {
    ids.set(neighbours.ids.subarray(i * m, i * m + count), i * count);
    sims.set(neighbours.sims.subarray(i * m, i * m + count), i * count);
  }
  return { m: count, ids, sims };
}

export interface CountChoice {
  readonly count: number;
  readonly trials: readonly { readonly count: number; readonly validation: number }[];
}

/** Validates the model with each count (at most the lists' own) and picks the smallest within the tolerance of the best. */
export async function chooseNeighbourCount(
  params: MetaParams,
  inputs: ItemInputs,
  validation: readonly UserPositives[],
  ks: readonly number[],
  steps: number,
  neighbours: Neighbours,
  counts: readonly number[] = NEIGHBOUR_COUNTS,
  tolerance = COUNT_TOLERANCE,
): Promise<CountChoice> {
  const candidates = [...new Set([...counts.filter((c) => c > 0 && c < neighbours.m), neighbours.m])].sort((a, b) => a - b);
  const trials: { count: number; validation: number }[] = [];
  for (const count of candidates) {
    const { mean } = await episodeNdcg(params, inputs, validation, ks, steps, truncateNeighbours(neighbours, count));
    trials.push({ count, validation: mean });
  }
  return { count: pickCount(trials, tolerance), trials };
}

/** The smallest count whose validation score is within `tolerance` (relative) of the best. */
export function pickCount(trials: readonly { readonly count: number; readonly validation: number }[], tolerance = COUNT_TOLERANCE): number {
  const best = Math.max(...trials.map((t) => t.validation));
  return [...trials].sort((a, b) => a.count - b.count).find((t) => t.validation >= (1 - tolerance) * best)!.count;
}

/** chooseNeighbourCount on a trained model's item side (builds and frees the input tensors). */
export async function chooseForModel(
  model: { readonly params: MetaParams; readonly neighbours?: Neighbours },
  inputs: () => ItemInputs,
  validation: readonly UserPositives[],
  ks: readonly number[],
  steps: number,
  counts: readonly number[],
): Promise<CountChoice | null> {
  if (!model.neighbours || model.neighbours.m === 0) return null;
  const built = inputs();
  try {
    return await chooseNeighbourCount(model.params, built, validation, ks, steps, model.neighbours, counts);
  } finally {
    tf.dispose([built.features, built.warm, built.logPop]);
  }
}
