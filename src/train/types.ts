import type { SparseFeatures } from '../core/features';
import type { MetaParams } from '../core/params';
import type { Neighbours } from '../core/types';
import type { Transitions } from '../core/transitions';
import type { UserPositives } from '../protocol/types';
import type { AlsStart } from './als-start';
import type { TrainConfig } from './config';
import type { TrainProgress } from './loop';

/** What a training run needs, independent of the file format it came from. */
export interface TrainingData {
  /** Tags per catalog item (undefined: no content). */
  readonly tags: readonly (readonly string[] | undefined)[];
  /** Training users' positives in protocol order (catalog indices). */
  readonly train: readonly Int32Array[];
  /** Users to choose the best iteration on. */
  readonly validation: readonly UserPositives[];
}

export interface TrainedModel {
  readonly params: MetaParams;
  readonly featureNames: readonly string[];
  /** Content rows over `featureNames` (sparse: never [items, features]). */
  readonly features: SparseFeatures;
  /** 1 for items seen in training. */
  readonly warm: Float32Array;
  /** log(1 + training users per item). */
  readonly logPop: Float32Array;
  readonly config: TrainConfig;
  readonly history: readonly TrainProgress[];
  readonly validation: { readonly mean: number; readonly byK: Record<number, number> };
  readonly tasksPerSecond: number;
  /** The item-item neighbour lists the model scores with (none when `config.neighbours` is 0). */
  readonly neighbours?: Neighbours;
  /** The next-item transition lists of the sequential term (none when validation left the term out). */
  readonly transitions?: Transitions;
  /** What the item-list search chose on validation users (see train/list-search); absent for the pretrain baseline. */
  readonly itemLists?: {
    readonly neighbourShrink: number | null;
    /** Transitions kept per item; 0 when the sequential term did not earn its place. */
    readonly transitions: number;
    readonly trials: readonly Readonly<Record<string, number>>[];
  };
  /** The neighbour count chosen on validation users (train/neighbour-count), when the run was asked to choose: ship `truncateNeighbours(neighbours, count)`. */
  readonly neighbourCount?: CountChoice;
  /** How the run went beyond its settings (the artifact's training block records it). */
  readonly run?: RunSummary;
  /** Which start won on validation, and the ALS head search when one ran. */
  readonly start: {
    readonly chosen: 'pooled' | 'als';
    /** Validation of the best meta-trained checkpoint (when meta-training ran). */
    readonly pooled?: number;
    /** The batch meta-training stopped at because validation, below the ALS start, could no longer reach it at its latest gain per checkpoint (train/loop TrainLoop.floor); absent when it ran to the end. */
    readonly fellAt?: number;
    readonly als?: Pick<AlsStart, 'head' | 'mean' | 'trials' | 'iterationsRun' | 'screened'>;
  };
}

/** What a run chose and how it ended. */
export interface RunSummary {
  /** The tag vocabulary validation chose (train/vocabulary). */
  readonly vocabulary: { readonly minCount: number; readonly features: number; readonly trials: readonly Readonly<Record<string, number | undefined>>[] };
  /** Validation users the run chose by (at most config.validationUsers). */
  readonly validationUsers: number;
  /** Whether the query and pretraining losses ran on sampled candidates (catalog above config.sampledAbove). */
  readonly sampled: boolean;
  /** Wall time of the run, s. */
  readonly seconds: number;
  /** Loops the time budget (config.maxMinutes) ended early, and the batch each stopped at; empty when none did. */
  readonly stoppedEarly: readonly { readonly stage: string; readonly iteration: number }[];
}

/** What a run does beyond its TrainConfig, set by the command that runs it (not recorded as settings). */
export interface RunOptions {
  /** Neighbour counts to choose among on validation users after training (train/neighbour-count); none: the lists stay as built. */
  readonly neighbourCounts?: readonly number[];
  /** When the --max-minutes budget started (performance.now clock, ms): the command's start, so that loading the data counts. */
  readonly startedAt?: number;
  /**
   * The item tables' optimizer on a sampled run: 'lazy' (default; their
   * candidates' rows, train/row-optimizer) or 'dense' (tfjs's Adam over every
   * row, the trainer before lazy Adam: for comparisons, bench/sampled-softmax).
   */
  readonly sampledAdam?: 'lazy' | 'dense';
  /**
   * Where runs on the same training users keep what does not depend on their
   * objective, so that one run's work serves the next (the eval fits `meta`
   * once per protocol on each fold: its fold registry). `shared(key, make)`
   * returns what `make` made under `key` the first time. Holds the pooled
   * pretraining (and the pretrain baseline's pooled run with its checkpoints),
   * keyed by every setting it depends on, and the ALS start's factors per λ;
   * unused under a time budget or with sampled candidates, where a run's
   * pretraining depends on more.
   */
  readonly shared?: <T>(key: string, make: () => T) => T;
}

/** The neighbour count chosen on validation users (train/neighbour-count.ts), and what it weighed. */
export interface CountChoice {
  readonly count: number;
  readonly trials: readonly { readonly count: number; readonly validation: number }[];
  /** Counts the time budget left untried (absent when every count was weighed): the choice is among `trials` only. */
  readonly skipped?: readonly number[];
}
