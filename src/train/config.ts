// The training configuration, its defaults and its limits (the CLI's flags map onto these fields).
import { MAX_STEPS } from '../artifact/check';
import { describeRange, inRange, type Range } from '../math/range';

export const ALGORITHMS = ['maml', 'fomaml', 'reptile', 'protonet', 'pretrain'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface TrainConfig {
  readonly algorithm: Algorithm;
  /** Embedding dimension. */
  readonly dim: number;
  /** Inner steps in training, and the runtime's default adaptation steps. */
  readonly innerSteps: number;
  /** Initial inner learning rate (learned per coordinate by MAML when learnRates). */
  readonly innerLr: number;
  readonly learnRates: boolean;
  /** Tasks (users) per meta-batch. */
  readonly batchSize: number;
  /** Meta-batches to train for. */
  readonly iterations: number;
  /** Adam learning rate of the outer loop. */
  readonly metaLr: number;
  readonly weightDecay: number;
  readonly seed: number;
  /** Meta-batches between validations (the best validated parameters are kept). */
  readonly validateEvery: number;
  /** Shot counts of the validation objective (mean nDCG@10 over them). */
  readonly validationKs: readonly number[];
  /**
   * Batches of pooled pretraining before meta-training (0: none): item vectors
   * learned from every training user's full history give meta-training a
   * better start than random ones (transfer, then meta-learn).
   */
  readonly pretrainIterations: number;
  /**
   * Item-item neighbours kept per item (0: none). The model then adds the
   * visitor's mean similarity row, with an adapted weight, to every score.
   */
  readonly neighbours: number;
  /** Shrinkage of the neighbours' cosine (the `+ shrink` in its denominator) for the pretrain baseline; meta-training chooses it on validation. */
  readonly neighbourShrink: number;
  /**
   * Next-item transition lists kept per item (0: none): the sequential term,
   * what tends to follow the visitor's last clicks, with an adapted weight.
   */
  readonly transitions: number;
  /** Shrinkage of the transition shares (the `+ shrink` in trans(a, b) / (out(a) + shrink)). */
  readonly transitionShrink: number;
  /**
   * Where the item side comes from. 'pooled': pooled pretraining, then
   * meta-training. 'als': implicit-ALS factors with a validated head, no
   * meta-gradient training (see train/als-start). 'auto': both, and the
   * validation users decide.
   */
  readonly transfer: Transfer;
  /** ALS confidence weight α of a positive (1 + α). */
  readonly alsAlpha: number;
  /** ALS ridge λ candidates, chosen on validation. */
  readonly alsLambdas: readonly number[];
  /** Learn a recency decay of click weights (prototype, item-item row, support loss); else clicks weigh the same. */
  readonly recency: boolean;
  /** Starting decay when it is learned, in (0, 1). */
  readonly decayInit: number;
  /**
   * What the validation users choose by, and what training tasks ask: 'v2'
   * the next click (HR@10; the default: what a page re-ranked after every
   * click is judged on), 'v1' the rest of the visitor's taste (mean nDCG@10
   * over the shot counts: a "picked for you" page), 'both' their mean.
   */
  readonly objective: ValidationObjective;
  /**
   * Minimum numbers of items a tag must carry to become a content feature,
   * tried on validation users (train/vocabulary); one value fixes it. No cap
   * on the vocabulary's size: features are sparse rows.
   */
  readonly tagMinCounts: readonly number[];
  /**
   * Above this many catalog items each meta-training task runs on the batch's
   * sampled candidates and the pooled-pretraining loss scores them, instead
   * of the whole catalog (docs/TRAINING.md); 0: never.
   */
  readonly sampledAbove: number;
  /** Popularity-sampled negatives drawn per batch when sampling (with replacement). */
  readonly negatives: number;
  /**
   * Validation users kept at most (a seeded subset beyond): validation cost
   * grows with users × catalog. 0: automatic (train/dataset-split
   * validationUserCap: 2,000, fewer on catalogs above 20,000 items).
   */
  readonly validationUsers: number;
  /** Wall-clock budget of the run, minutes (0: none): training stops after the current batch and keeps the best validated checkpoint. */
  readonly maxMinutes: number;
}

export const VALIDATION_OBJECTIVES = ['v1', 'v2', 'both'] as const;
export type ValidationObjective = (typeof VALIDATION_OBJECTIVES)[number];

export const TRANSFERS = ['pooled', 'als', 'auto'] as const;
export type Transfer = (typeof TRANSFERS)[number];

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  algorithm: 'maml',
  dim: 32,
  innerSteps: 2,
  innerLr: 0.5,
  learnRates: true,
  batchSize: 32,
  iterations: 300,
  metaLr: 0.03,
  weightDecay: 3e-3,
  seed: 1,
  validateEvery: 100,
  validationKs: [1, 3, 5, 10, 20],
  pretrainIterations: 300,
  neighbours: 50,
  neighbourShrink: 10,
  transitions: 20,
  transitionShrink: 5,
  transfer: 'auto',
  alsAlpha: 10,
  alsLambdas: [10, 100, 1000],
  recency: true,
  decayInit: 0.9,
  // The product's live question: after each click, is the next one in the top 10?
  objective: 'v2',
  tagMinCounts: [1, 2, 5],
  sampledAbove: 20_000,
  negatives: 2048,
  validationUsers: 0,
  maxMinutes: 0,
};

/**
 * The values each numeric setting may take: `npm run train`'s flags carry the
 * same ranges, and trainMeta / trainPretrain refuse anything outside them
 * with an Error naming the setting (never a crash deeper in).
 */
export const TRAIN_LIMITS = {
  dim: { min: 1, max: 1024, integer: true },
  innerSteps: { min: 0, max: MAX_STEPS, integer: true },
  innerLr: { min: 0, max: 100, above: true },
  batchSize: { min: 1, max: 4096, integer: true },
  iterations: { min: 1, max: 10_000_000, integer: true },
  metaLr: { min: 0, max: 10, above: true },
  weightDecay: { min: 0, max: 10 },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  validateEvery: { min: 1, max: 10_000_000, integer: true },
  pretrainIterations: { min: 0, max: 10_000_000, integer: true },
  neighbours: { min: 0, max: 10_000, integer: true },
  neighbourShrink: { min: 0, max: 1e6 },
  transitions: { min: 0, max: 10_000, integer: true },
  transitionShrink: { min: 0, max: 1e6 },
  decayInit: { min: 0, max: 0.999, above: true },
  alsAlpha: { min: 0, max: 1e6, above: true },
  sampledAbove: { min: 0, max: 100_000_000, integer: true },
  negatives: { min: 1, max: 1_000_000, integer: true },
  validationUsers: { min: 0, max: 100_000_000, integer: true },
  maxMinutes: { min: 0, max: 100_000 },
} as const satisfies Partial<Record<keyof TrainConfig, Range>>;

/** Items a tag must carry to be a feature. */
export const TAG_MIN_COUNT: Range = { min: 1, max: 1_000_000, integer: true };

/** Throws an Error naming the first setting outside TRAIN_LIMITS (or an empty ALS λ grid). */
export function checkTrainConfig(config: TrainConfig): void {
  for (const [key, range] of Object.entries(TRAIN_LIMITS) as [keyof typeof TRAIN_LIMITS, Range][]) {
    const value = config[key];
    if (!inRange(value, range)) throw new Error(`Training setting ${key} is ${String(value)}: use ${describeRange(range)}.`);
  }
  if (config.alsLambdas.length === 0 || !config.alsLambdas.every((l) => inRange(l, { min: 0, max: Infinity, above: true }))) {
    throw new Error(`Training setting alsLambdas is [${config.alsLambdas.join(', ')}]: give at least one ridge λ above 0, e.g. [10, 100, 1000].`);
  }
  if (!(VALIDATION_OBJECTIVES as readonly string[]).includes(config.objective)) {
    throw new Error(`Training setting objective is "${config.objective}": use one of ${VALIDATION_OBJECTIVES.join(', ')}.`);
  }
  if (config.tagMinCounts.length === 0 || !config.tagMinCounts.every((k) => inRange(k, TAG_MIN_COUNT))) {
    throw new Error(`Training setting tagMinCounts is [${config.tagMinCounts.join(', ')}]: give at least one minimum tag count, ${describeRange(TAG_MIN_COUNT)}, e.g. [1, 2, 5].`);
  }
  if (config.validationKs.length === 0 || !config.validationKs.every((k) => inRange(k, { min: 1, max: Infinity, integer: true }))) {
    throw new Error(`Training setting validationKs is [${config.validationKs.join(', ')}]: give at least one shot count ≥ 1, e.g. [1, 3, 5, 10, 20].`);
  }
}
