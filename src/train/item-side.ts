import { featureMatrix, featureVocabulary, itemInputs, logPopularity } from '../core/features';
import type { ItemInputs } from '../core/types';
import type { TrainedModel, TrainingData } from './types';

/** The fixed item-side inputs of a model: content features, warm mask, log popularity. */
export interface ItemSide {
  readonly names: string[];
  readonly features: Float32Array;
  readonly warm: Float32Array;
  readonly logPop: Float32Array;
}

/** The item-side inputs of a training set: content features, the warm mask and log popularity. */
export function itemSide(data: TrainingData): ItemSide {
  const names = featureVocabulary(data.tags);
  const counts = new Float32Array(data.tags.length);
  for (const u of data.train) for (const i of u) counts[i]! += 1;
  const warm = counts.map((c) => (c > 0 ? 1 : 0));
  return { names, features: featureMatrix(data.tags, names), warm, logPop: logPopularity(counts) };
}

/** An item side as tensors (the caller disposes them). */
export function sideInputs(side: ItemSide): ItemInputs {
  return itemInputs(side.features, side.names.length, side.warm, side.logPop);
}

/** Item-side inputs of a trained model as tensors (the caller disposes). */
export function trainedInputs(model: TrainedModel): ItemInputs {
  return itemInputs(model.features, model.featureNames.length, model.warm, model.logPop);
}
