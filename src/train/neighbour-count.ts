import { disposeInputs } from '../core/features';
import type { MetaParams } from '../core/params';
import type { Transitions } from '../core/transitions';
import type { ItemInputs, Neighbours } from '../core/types';
import type { UserPositives } from '../protocol/types';
import type { TrainConfig } from './config';
import { validate } from './validate';

/**
 * How many item-item neighbours a shipped model keeps per item: a few counts
 * tried on the validation users (the model's own objective, with its transition
 * lists), and the smallest within COUNT_TOLERANCE of the best kept. The lists are most of what a visitor downloads (format v2: ~1–2
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
  objective: Pick<TrainConfig, 'objective' | 'validationKs'>,
  steps: number,
  lists: { readonly neighbours: Neighbours; readonly transitions?: Transitions | undefined },
  counts: readonly number[] = NEIGHBOUR_COUNTS,
  tolerance = COUNT_TOLERANCE,
): Promise<CountChoice> {
  const { neighbours, transitions } = lists;
  const candidates = [...new Set([...counts.filter((c) => c > 0 && c < neighbours.m), neighbours.m])].sort((a, b) => a - b);
  const trials: { count: number; validation: number }[] = [];
  for (const count of candidates) {
    const { mean } = await validate(params, inputs, validation, objective, steps, { neighbours: truncateNeighbours(neighbours, count), transitions });
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
  model: { readonly params: MetaParams; readonly neighbours?: Neighbours; readonly transitions?: Transitions; readonly config: Pick<TrainConfig, 'objective' | 'validationKs'> },
  inputs: () => ItemInputs,
  validation: readonly UserPositives[],
  steps: number,
  counts: readonly number[],
): Promise<CountChoice | null> {
  if (!model.neighbours || model.neighbours.m === 0) return null;
  const built = inputs();
  try {
    return await chooseNeighbourCount(model.params, built, validation, model.config, steps, { neighbours: model.neighbours, transitions: model.transitions }, counts);
  } finally {
    disposeInputs(built);
  }
}
