// The validation objective a training run chooses by (its checkpoints, its start, its head).
import type { MetaParams } from '../core/params';
import type { ItemInputs } from '../core/types';
import type { UserPositives } from '../protocol/types';
import type { TrainConfig, ValidationObjective } from './config';
import { episodeNdcg, prequentialHr, type ItemLists } from './episodes';

/** Training tasks ask what the validation objective asks: the rest of the history (v1), the next click (v2), or both alike. */
export const NEXT_CLICK_SHARE: Record<ValidationObjective, number> = { v1: 0, v2: 1, both: 0.5 };

/** A validation score and its parts: byK, v1's nDCG@10 per k; next, v2's HR@10 of the next click. */
export interface Validation {
  readonly mean: number;
  readonly byK: Record<number, number>;
  readonly next?: number;
}

/** The validation objective the config names: v1's mean nDCG@10 over the shot counts, v2's HR@10 of the next click, or their mean. */
export async function validate(
  params: MetaParams,
  inputs: ItemInputs,
  users: readonly UserPositives[],
  config: Pick<TrainConfig, 'objective' | 'validationKs'>,
  steps: number,
  lists: ItemLists = {},
): Promise<Validation> {
  const v1 = config.objective === 'v2' ? null : await episodeNdcg(params, inputs, users, config.validationKs, steps, lists);
  const next = config.objective === 'v1' ? undefined : await prequentialHr(params, inputs, users, steps, lists);
  if (!v1) return { mean: next!, byK: {}, next: next! };
  if (next === undefined) return v1;
  return { mean: (v1.mean + next) / 2, byK: v1.byK, next };
}
