// The data a training run reads (`npm run train` and `npm run train:prepare`): the
// dataset its arguments name, prepared by the protocol and split for shipping.
import { loadDataset, type DatasetFormat } from '../data/load';
import type { Dataset } from '../data/dataset';
import type { Persona } from '../data/persona';
import { generateWorld } from '../data/synthetic';
import { prepareData, userRole, type PreparedData } from '../protocol/data';
import { shippingSplit } from '../train/dataset-split';
import type { TrainingData } from '../train/types';
import type { TrainArgs } from './train-args';

export interface TrainInput {
  readonly format: DatasetFormat;
  readonly dataset: Dataset;
  readonly prepared: PreparedData;
  readonly data: TrainingData;
  readonly threshold: number;
  readonly minPositives: number;
  readonly fold: number;
  /** The synthetic world's demo visitors: held-out (validation-bucket) users, never trained on. */
  readonly personas?: readonly Persona[];
}

/** Loads the dataset `args` names (or generates the synthetic world) and applies the shipping split. */
export async function loadTrainInput(args: TrainArgs): Promise<TrainInput> {
  const { format, threshold, minPositives, fold } = args;
  const synthetic = format === 'synthetic' ? generateWorld(args.world) : undefined;
  const dataset = synthetic?.dataset ?? (await loadDataset(format, args.data, { world: args.world }));
  const prepared = prepareData(dataset, threshold);
  const data = shippingSplit(prepared, fold, minPositives);
  const personas = synthetic?.personas.filter((p) => userRole(p.id, fold) === 'validation').slice(0, args.personas);
  return { format, dataset, prepared, data, threshold, minPositives, fold, ...(personas ? { personas } : {}) };
}
