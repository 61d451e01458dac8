import { contentFeatures, featureVocabulary, itemInputs, logPopularity, type SparseFeatures } from '../core/features';
import type { ItemInputs } from '../core/types';
import type { TrainedModel, TrainingData } from './types';

/** The fixed item-side inputs of a model: sparse content features, warm mask, log popularity. */
export interface ItemSide {
  readonly names: string[];
  readonly features: SparseFeatures;
  readonly warm: Float32Array;
  readonly logPop: Float32Array;
}

/** Training users per item. */
export function trainingCounts(data: Pick<TrainingData, 'tags' | 'train'>): Float32Array {
  const counts = new Float32Array(data.tags.length);
  for (const u of data.train) for (const i of u) counts[i]! += 1;
  return counts;
}

/** The item-side inputs of a training set over the vocabulary `names` (default: tags on 2+ items; train/vocabulary chooses). */
export function itemSide(data: Pick<TrainingData, 'tags' | 'train'>, names: string[] = featureVocabulary(data.tags)): ItemSide {
  const counts = trainingCounts(data);
  const warm = counts.map((c) => (c > 0 ? 1 : 0));
  return { names, features: contentFeatures(data.tags, names), warm, logPop: logPopularity(counts) };
}

/** An item side as tensors (free them with disposeInputs). */
export function sideInputs(side: ItemSide): ItemInputs {
  return itemInputs(side.features, side.warm, side.logPop);
}

/** Item-side inputs of a trained model as tensors (free them with disposeInputs). */
export function trainedInputs(model: TrainedModel): ItemInputs {
  return itemInputs(model.features, model.warm, model.logPop);
}
