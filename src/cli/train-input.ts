// What `npm run train` and `npm run train:dist` share: the training flags, the
// configuration they map onto, and loading + splitting the data they name.
import { DATASET_FORMATS, loadDataset, type DatasetFormat } from '../data/load';
import type { Dataset } from '../data/dataset';
import type { Persona } from '../data/persona';
import { generateWorld } from '../data/synthetic';
import { prepareData, PROTOCOL_DEFAULTS, userRole, type PreparedData } from '../eval/protocol';
import { shippingSplit } from '../train/dataset-split';
import { ALGORITHMS, DEFAULT_TRAIN_CONFIG, TRANSFERS, type Algorithm, type TrainConfig, type TrainingData, type Transfer } from '../train/trainer';
import type { FlagValues } from './flags';

const d = DEFAULT_TRAIN_CONFIG;

/** The flags of `npm run train`, except --out and --backend (each CLI adds its own). */
export const TRAIN_FLAGS = {
  format: { kind: 'string', example: 'movielens-100k', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  algo: { kind: 'string', example: 'maml', choices: ALGORITHMS },
  seed: { kind: 'int', example: '1' },
  threshold: { kind: 'number', example: '4' },
  'min-positives': { kind: 'int', example: '25' },
  fold: { kind: 'int', example: '0' },
  dim: { kind: 'int', example: String(d.dim) },
  steps: { kind: 'int', example: String(d.innerSteps) },
  iterations: { kind: 'int', example: String(d.iterations) },
  'pretrain-iterations': { kind: 'int', example: String(d.pretrainIterations) },
  transfer: { kind: 'string', example: d.transfer, choices: TRANSFERS },
  batch: { kind: 'int', example: String(d.batchSize) },
  'meta-lr': { kind: 'number', example: String(d.metaLr) },
  'inner-lr': { kind: 'number', example: String(d.innerLr) },
  'learn-rates': { kind: 'bool', example: 'true' },
  'weight-decay': { kind: 'number', example: String(d.weightDecay) },
  'negative-weight': { kind: 'number', example: '0.5' },
  'world-items': { kind: 'int', example: '2000' },
  'world-users': { kind: 'int', example: '1500' },
  personas: { kind: 'int', example: '12' },
} as const;

/** The training configuration the flags describe (defaults for the rest). */
export function trainConfigFromFlags(f: FlagValues): TrainConfig {
  return {
    ...d,
    algorithm: (f.algo ?? 'maml') as Algorithm,
    seed: Number(f.seed ?? 1),
    dim: Number(f.dim ?? d.dim),
    innerSteps: Number(f.steps ?? d.innerSteps),
    iterations: Number(f.iterations ?? d.iterations),
    pretrainIterations: Number(f['pretrain-iterations'] ?? d.pretrainIterations),
    transfer: (f.transfer ?? d.transfer) as Transfer,
    batchSize: Number(f.batch ?? d.batchSize),
    metaLr: Number(f['meta-lr'] ?? d.metaLr),
    innerLr: Number(f['inner-lr'] ?? d.innerLr),
    learnRates: Boolean(f['learn-rates'] ?? d.learnRates),
    weightDecay: Number(f['weight-decay'] ?? d.weightDecay),
  };
}

/** The data a training run reads, prepared by the protocol and split for shipping. */
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

/** Loads the dataset the flags name (or generates the synthetic world) and applies the shipping split. */
export async function loadTrainInput(f: FlagValues): Promise<TrainInput> {
  const format = (f.format ?? missing('--format', 'movielens-100k')) as DatasetFormat;
  const seed = Number(f.seed ?? 1);
  const world = { seed, ...(f['world-items'] ? { items: Number(f['world-items']) } : {}), ...(f['world-users'] ? { users: Number(f['world-users']) } : {}) };
  if (format !== 'synthetic' && f.data === undefined) missing('--data', '../shared/data/ml-100k');
  const synthetic = format === 'synthetic' ? generateWorld(world) : undefined;
  const dataset = synthetic?.dataset ?? (await loadDataset(format, String(f.data ?? ''), { world }));
  const threshold = Number(f.threshold ?? PROTOCOL_DEFAULTS.threshold);
  const prepared = prepareData(dataset, threshold);
  const minPositives = Number(f['min-positives'] ?? (format === 'synthetic' ? 20 : PROTOCOL_DEFAULTS.minPositives));
  const fold = Number(f.fold ?? 0);
  const data = shippingSplit(prepared, fold, minPositives);
  const personas = synthetic?.personas.filter((p) => userRole(p.id, fold) === 'validation').slice(0, Number(f.personas ?? 12));
  return { format, dataset, prepared, data, threshold, minPositives, fold, ...(personas ? { personas } : {}) };
}

/** Throws the error a missing required flag gets. */
export function missing(flag: string, example: string): never {
  throw new Error(`Missing ${flag}: e.g. ${flag} ${example}`);
}
