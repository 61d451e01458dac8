// `npm run train`'s flags: their ranges are the training settings' limits (train/config).
import { DATASET_FORMATS, type DatasetFormat } from '../data/load';
import { DEFAULT_NEGATIVE_WEIGHT } from '../core/feedback';
import { PROTOCOL_DEFAULTS } from '../protocol/data';
import { ALGORITHMS, DEFAULT_TRAIN_CONFIG, TAG_MIN_COUNT, TRAIN_LIMITS, TRANSFERS, VALIDATION_OBJECTIVES, type TrainConfig } from '../train/config';
import { parseFlags, required, type Flags } from './flags';
import { NODE_BACKENDS, type NodeBackend } from './node-backend';
import { NEIGHBOUR_COUNTS } from '../train/neighbour-count';

const d = DEFAULT_TRAIN_CONFIG;
const L = TRAIN_LIMITS;

export const TRAIN_FLAGS = {
  format: { kind: 'string', example: 'movielens-100k', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  out: { kind: 'string', example: 'models/ml100k' },
  algo: { kind: 'string', example: 'maml', choices: ALGORITHMS },
  backend: { kind: 'string', example: 'wasm', choices: NODE_BACKENDS },
  seed: { kind: 'number', example: '1', ...L.seed },
  threshold: { kind: 'number', example: '4', min: -Infinity, max: Infinity },
  'min-positives': { kind: 'number', example: '25', min: 1, max: 1_000_000, integer: true },
  fold: { kind: 'number', example: '0', min: 0, max: 4, integer: true },
  dim: { kind: 'number', example: String(d.dim), ...L.dim },
  steps: { kind: 'number', example: String(d.innerSteps), ...L.innerSteps },
  iterations: { kind: 'number', example: String(d.iterations), ...L.iterations },
  'pretrain-iterations': { kind: 'number', example: String(d.pretrainIterations), ...L.pretrainIterations },
  'validate-every': { kind: 'number', example: String(d.validateEvery), ...L.validateEvery },
  transfer: { kind: 'string', example: d.transfer, choices: TRANSFERS },
  objective: { kind: 'string', example: 'v2', choices: VALIDATION_OBJECTIVES },
  neighbours: { kind: 'number', example: String(d.neighbours), ...L.neighbours },
  transitions: { kind: 'number', example: String(d.transitions), ...L.transitions },
  recency: { kind: 'bool', example: 'true' },
  batch: { kind: 'number', example: String(d.batchSize), ...L.batchSize },
  'meta-lr': { kind: 'number', example: String(d.metaLr), ...L.metaLr },
  'inner-lr': { kind: 'number', example: String(d.innerLr), ...L.innerLr },
  'learn-rates': { kind: 'bool', example: 'true' },
  'weight-decay': { kind: 'number', example: String(d.weightDecay), ...L.weightDecay },
  'validation-users': { kind: 'number', example: String(d.validationUsers), ...L.validationUsers },
  'tag-min-counts': { kind: 'numbers', example: d.tagMinCounts.join(','), ...TAG_MIN_COUNT },
  'sampled-above': { kind: 'number', example: String(d.sampledAbove), ...L.sampledAbove },
  negatives: { kind: 'number', example: String(d.negatives), ...L.negatives },
  'max-minutes': { kind: 'number', example: '15', ...L.maxMinutes },
  'negative-weight': { kind: 'number', example: String(DEFAULT_NEGATIVE_WEIGHT), min: 0, max: 100 },
  'world-items': { kind: 'number', example: '2000', min: 10, max: 1_000_000, integer: true },
  'world-users': { kind: 'number', example: '1500', min: 10, max: 10_000_000, integer: true },
  personas: { kind: 'number', example: '12', min: 0, max: 10_000, integer: true },
  'model-format': { kind: 'number', example: '2', min: 1, max: 2, integer: true },
  report: { kind: 'string', example: 'run.json' },
  'neighbour-counts': { kind: 'numbers', example: NEIGHBOUR_COUNTS.join(','), min: 1, max: L.neighbours.max, integer: true },
} as const;

/** Everything `npm run train` was asked for, defaults applied. */
export interface TrainArgs {
  readonly format: DatasetFormat;
  /** Dataset folder ('' for the synthetic world). */
  readonly data: string;
  readonly out: string;
  readonly backend: NodeBackend;
  readonly config: TrainConfig;
  readonly threshold: number;
  readonly minPositives: number;
  /** Whose validation bucket chooses the best iteration. */
  readonly fold: number;
  /** Weight of impressions the artifact tells the runtime to use. */
  readonly negativeWeight: number;
  /** Size of the synthetic world, when asked for. */
  readonly world: { readonly seed: number; readonly items?: number; readonly users?: number };
  /** Simulated visitors written for the demo (synthetic data only). */
  readonly personas: number;
  /** The file format written: 1 (raw parameters) or 2 (finished int8 item table, sharded; docs/FORMAT.md). */
  readonly modelFormat: 1 | 2;
  /** Neighbour counts tried on validation users; the smallest within 0.5% of the best is shipped. */
  readonly neighbourCounts: readonly number[];
  /** Where the run's measurements go as JSON (seconds, tasks/s, peak RSS), if anywhere: kept out of the artifact so its bytes stay reproducible. */
  readonly report?: string;
}

/** Parses `npm run train` flags; every error names the flag, the bad value and what is allowed. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  return trainArgsFromFlags(parseFlags(argv, TRAIN_FLAGS));
}

/** The training run parsed flags describe (`npm run train:dist` parses TRAIN_FLAGS plus its own). */
export function trainArgsFromFlags(f: Flags<typeof TRAIN_FLAGS>): TrainArgs {
  const format = required(f.format, 'format', 'movielens-100k') as DatasetFormat;
  const seed = f.seed ?? d.seed;
  return {
    format,
    data: format === 'synthetic' ? (f.data ?? '') : required(f.data, 'data', '../shared/data/ml-100k'),
    out: required(f.out, 'out', 'models/mine'),
    backend: (f.backend ?? 'wasm') as NodeBackend,
    config: {
      ...d,
      algorithm: (f.algo ?? d.algorithm) as TrainConfig['algorithm'],
      seed,
      dim: f.dim ?? d.dim,
      innerSteps: f.steps ?? d.innerSteps,
      iterations: f.iterations ?? d.iterations,
      pretrainIterations: f['pretrain-iterations'] ?? d.pretrainIterations,
      validateEvery: f['validate-every'] ?? d.validateEvery,
      transfer: (f.transfer ?? d.transfer) as TrainConfig['transfer'],
      objective: (f.objective ?? d.objective) as TrainConfig['objective'],
      neighbours: f.neighbours ?? d.neighbours,
      transitions: f.transitions ?? d.transitions,
      recency: f.recency ?? d.recency,
      batchSize: f.batch ?? d.batchSize,
      metaLr: f['meta-lr'] ?? d.metaLr,
      innerLr: f['inner-lr'] ?? d.innerLr,
      learnRates: f['learn-rates'] ?? d.learnRates,
      weightDecay: f['weight-decay'] ?? d.weightDecay,
      validationUsers: f['validation-users'] ?? d.validationUsers,
      tagMinCounts: f['tag-min-counts'] ?? d.tagMinCounts,
      sampledAbove: f['sampled-above'] ?? d.sampledAbove,
      negatives: f.negatives ?? d.negatives,
      maxMinutes: f['max-minutes'] ?? d.maxMinutes,
    },
    threshold: f.threshold ?? PROTOCOL_DEFAULTS.threshold,
    minPositives: f['min-positives'] ?? (format === 'synthetic' ? 20 : PROTOCOL_DEFAULTS.minPositives),
    fold: f.fold ?? 0,
    negativeWeight: f['negative-weight'] ?? DEFAULT_NEGATIVE_WEIGHT,
    world: { seed, ...(f['world-items'] ? { items: f['world-items'] } : {}), ...(f['world-users'] ? { users: f['world-users'] } : {}) },
    personas: f.personas ?? 12,
    modelFormat: f['model-format'] === 2 ? 2 : 1,
    neighbourCounts: f['neighbour-counts'] ?? NEIGHBOUR_COUNTS,
    ...(f.report ? { report: f.report } : {}),
  };
}
