import * as tf from '@tensorflow/tfjs-core';
import { times } from '../core/product';
import { disposeInputs } from '../core/features';
import { computeItemTable, feedbackLoss, scoreBatch } from '../core/model';
import { decayLogit, disposeParams, fromArrays, initParams, toArrays, type MetaParams, type ParamName } from '../core/params';
import type { ItemInputs } from '../core/types';
import { createRng } from '../math/rng';
import { checkTrainConfig, type TrainConfig } from './config';
import { itemSide, sideInputs } from './item-side';
import { meanRate, trainLoop, type TrainProgress } from './loop';
import { judgeCheckpoints, keptCheckpoints } from './checkpoints';
import { chooseItemLists } from './list-search';
import { validate, type Validation } from './validate';
import { normalizedRows } from './tasks';
import { candidatePositions, candidateSet, candidateTensors, drawNegatives, taskSampling, type TaskSampling } from './negatives';
import { candidateScores, sampledLoss, type Candidates } from '../core/sampled';
import { SILENT_REPORTER, type TrainReporter } from './progress';
import { validationSubset, validationUserCap } from './dataset-split';
import { chooseVocabulary } from './vocabulary';
import type { RunOptions, TrainedModel, TrainingData } from './types';
import { countStage } from './neighbour-count';

/** Inner learning rates tried for fine-tuning the pooled model (chosen on validation users). */
export const FINETUNE_RATES = [0.1, 0.3, 1, 3, 10] as const;

/** Start weights of the item-item term tried after the rate, when the model has neighbours. */
export const FINETUNE_KNN = [0.1, 1, 3] as const;

/** Start weights of the sequential term tried after that, when transitions earned their place. */
export const FINETUNE_SEQ = [0.3, 1, 3] as const;

/** Recency decays tried last, when the objective asks for the next click (protocol v2). */
export const FINETUNE_DECAYS = [1, 0.8, 0.6] as const;

/** The fine-tuning head of the pretrain baseline: what meta-training learns, chosen here on validation users. */
interface Head {
  readonly rate: number;
  readonly knn: number;
  readonly seq: number;
  readonly decay: number;
}

/**
 * The transfer-learning baseline: the same model trained on all users pooled
 * (one free vector per training user, every positive of theirs a target), no
 * meta-learning. Visitors then start from the mean user vector and are
 * fine-tuned with the same number of steps, at a rate chosen on validation users.
 */
export async function trainPretrain(
  input: TrainingData,
  config: TrainConfig,
  onProgress?: (p: TrainProgress) => void,
  reporter: TrainReporter = SILENT_REPORTER,
  options: RunOptions = {},
): Promise<TrainedModel> {
  checkTrainConfig(config);
  const started = options.startedAt ?? performance.now();
  const data = { ...input, validation: validationSubset(input.validation, validationUserCap(config.validationUsers, input.tags.length), config.seed) };
  const vocabulary = await chooseVocabulary(data, config);
  const side = itemSide(data, vocabulary.names);
  const shape = { items: data.tags.length, features: side.names.length, dim: config.dim };
  const inputs = sideInputs(side);
  // The same item lists meta-training would ship, chosen the same way.
  const choice = chooseItemLists(data.train, shape.items, data.validation, config, reporter);
  const neighbours = choice.neighbours ? { m: choice.neighbours.m, ids: choice.neighbours.ids, sims: choice.neighbours.sims } : undefined;
  const transitions = choice.transitions ? { m: choice.transitions.m, ids: choice.transitions.ids, sims: choice.transitions.sims } : undefined;
  const lists = { neighbours, transitions };
  type Tried = { arrays: Record<ParamName, Float32Array>; head: Head; v: Validation };
  let validationMs = 0;
  const score = async (arrays: Record<ParamName, Float32Array>, head: Head): Promise<Tried> => {
    const t0 = performance.now();
    const lr = Math.log(head.rate);
    const tuned = {
      ...arrays,
      logLrUser: new Float32Array(config.dim).fill(lr),
      logLrPop: Float32Array.of(lr),
      logLrKnn: Float32Array.of(lr),
      logLrSeq: Float32Array.of(lr),
      logKnnInit: Float32Array.of(Math.log(Math.max(head.knn, 1e-12))),
      logSeqInit: Float32Array.of(Math.log(head.seq)),
      logitDecay: Float32Array.of(decayLogit(head.decay)),
    };
    const params = fromArrays(tuned, shape);
    try {
      return { arrays: tuned, head, v: await validate(params, inputs, data.validation, config, config.innerSteps, lists) };
    } finally {
      validationMs = performance.now() - t0;
      disposeParams(params);
    }
  };
  // The head by coordinate search (rate, then the item-item start, the sequential
  // start, the decay) on the first checkpoint; the later checkpoints are scored
  // with that head, so early stopping costs one validation per checkpoint. A
  // second search on the best checkpoint (until 2026-12-02) chose the same head
  // in all 12 recorded fits (MovieLens 100K v1 and v2 × 5 folds, Last.fm fold 0
  // v1 and v2) at ~110 CPU s per Last.fm v2 fit: it is not run.
  const search = async (arrays: Record<ParamName, Float32Array>, from: Head): Promise<Tried> => {
    let best = await score(arrays, from);
    const stage = async (heads: Head[]) => {
      for (const head of heads) {
        if (JSON.stringify(head) === JSON.stringify(best.head)) continue;
        const t = await score(arrays, head);
        if (t.v.mean > best.v.mean) best = t;
      }
    };
    await stage(FINETUNE_RATES.map((rate) => ({ ...best.head, rate })));
    if (neighbours) await stage(FINETUNE_KNN.map((knn) => ({ ...best.head, knn })));
    if (transitions) await stage(FINETUNE_SEQ.map((seq) => ({ ...best.head, seq })));
    if (config.objective !== 'v1') await stage(FINETUNE_DECAYS.map((decay) => ({ ...best.head, decay })));
    return best;
  };
  let head: Head = { rate: 1, knn: neighbours ? 1 : 0, seq: 1, decay: 1 };
  let searched = false;
  const sampling = taskSampling(data, shape.items, config);
  const pooledRun = { reporter, ...(sampling ? { sampling } : {}), ...(onProgress ? { onProgress } : {}), ...(config.maxMinutes > 0 ? { deadline: started + config.maxMinutes * 60_000 } : {}) };
  const judge = async (arrays: Record<ParamName, Float32Array>): Promise<{ score: number; value: Tried }> => {
    const t = searched ? await score(arrays, head) : await search(arrays, head);
    searched = true;
    head = t.head;
    return { score: t.v.mean, value: t };
  };
  // The pooled trajectory depends on neither the objective nor the validation: runs on the same users may share it (RunOptions.shared).
  const shareable = options.shared && pooledRun.deadline === undefined && !sampling;
  const run: { history: TrainProgress[]; best: { arrays: Record<ParamName, Float32Array>; value: Tried } | null; stoppedAt?: number } = shareable
    ? await judgeCheckpoints(await options.shared!(pooledKey(config, side.names), () => keptCheckpoints((keep) => pooledParams(data, config, inputs, 'click', unjudged(pooledRun), keep))), judge, onProgress)
    : await pooledParams(data, config, inputs, 'click', pooledRun, judge);
  const chosen = run.best!.value;
  const params = fromArrays(chosen.arrays, shape);
  const stops = run.stoppedAt === undefined ? [] : [{ stage: 'pretraining', iteration: run.stoppedAt }];
  const counted = options.neighbourCounts
    ? await countStage({ params, inputs, neighbours, transitions }, data.validation, config, config.innerSteps, {
        counts: options.neighbourCounts,
        known: chosen.v.mean,
        validationMs,
        reporter,
        ...(config.maxMinutes > 0 ? { deadline: started + config.maxMinutes * 60_000 } : {}),
      })
    : null;
  if (counted?.stop) stops.push(counted.stop);
  disposeInputs(inputs);
  return {
    params,
    featureNames: side.names,
    features: side.features,
    warm: side.warm,
    logPop: side.logPop,
    config: { ...config, innerLr: chosen.head.rate },
    start: { chosen: 'pooled' },
    history: run.history,
    validation: { mean: chosen.v.mean, byK: chosen.v.byK },
    tasksPerSecond: meanRate(run.history),
    ...(neighbours ? { neighbours } : {}),
    ...(transitions ? { transitions } : {}),
    ...(counted ? { neighbourCount: counted.choice } : {}),
    run: {
      vocabulary: { minCount: vocabulary.minCount, features: vocabulary.names.length, trials: vocabulary.trials },
      validationUsers: data.validation.length,
      sampled: sampling !== undefined,
      seconds: (performance.now() - started) / 1000,
      stoppedEarly: stops,
    },
  };
}

/** A run whose checkpoints are judged afterwards reports its batches without a validation score (judgeCheckpoints reports them with one). */
function unjudged(run: PooledRun): PooledRun {
  const report = run.onProgress;
  return report ? { ...run, onProgress: ({ iteration, loss, tasksPerSecond }) => report({ iteration, loss, tasksPerSecond }) } : run;
}

/** What a pooled run of the pretrain baseline reads besides the training users: the vocabulary and these settings. */
function pooledKey(config: TrainConfig, features: readonly string[]): string {
  const { dim, seed, metaLr, batchSize, weightDecay, iterations, validateEvery } = config;
  return `pooled clicks ${JSON.stringify({ features, dim, seed, metaLr, batchSize, weightDecay, iterations, validateEvery })}`;
}

/** How a pooled-pretraining run reports, samples and stops. */
export interface PooledRun {
  readonly reporter?: TrainReporter;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Candidates of the loss, when the catalog is large enough to sample (train/trainer taskSampling). */
  readonly sampling?: TaskSampling | undefined;
  /** performance.now() time at which the loop stops after its current batch. */
  readonly deadline?: number;
}

/**
 * Mean target loss of a batch of pooled users (their vectors `user`, [B, dim]),
 * plus L2 on the id embeddings and on the whole user table. With `candidates`,
 * `targets` has their columns and the loss is the sampled softmax over them
 * (logQ-corrected); without, over the whole catalog.
 */
export function pooledLoss(
  params: MetaParams,
  inputs: ItemInputs,
  user: tf.Tensor2D,
  targets: tf.Tensor2D,
  table: tf.Tensor,
  weightDecay: number,
  candidates?: Candidates,
): tf.Scalar {
  return tf.tidy(() => {
    const items = computeItemTable(params, inputs);
    const pop = tf.tile(tf.reshape(params.popInit, [1, 1]), [user.shape[0], 1]) as tf.Tensor2D;
    const decay = tf.mul(weightDecay, tf.add(tf.sum(tf.square(params.itemEmb)), tf.sum(tf.square(table))));
    const perUser = candidates
      ? sampledLoss(candidateScores(items, { user, pop }, candidates), { positives: targets }, candidates)
      : feedbackLoss(scoreBatch(items, { user, pop }), { positives: targets });
    return tf.add(tf.div(tf.sum(perUser), tf.sum(targets)), decay) as tf.Scalar;
  });
}

/**
 * Trains the model on pooled users (a free vector per training user, every
 * positive a target) for `config.iterations` batches; returns every parameter
 * with the mean user vector as userInit and no prototype start. `weighting`:
 * every click weighs the same ('click', as the protocol's metrics do: best for
 * the pretrain + fine-tune baseline), or every user ('user': the better start
 * for meta-training, 0.471 vs 0.462 mean validation nDCG@10 over ML-100K's
 * five folds). With `validate`, the checkpoint it scores highest is returned
 * instead of the last one.
 */
export async function pooledParams<T = never>(
  data: TrainingData,
  config: TrainConfig,
  inputs: ItemInputs,
  weighting: 'click' | 'user',
  run: PooledRun = {},
  validate?: (arrays: Record<ParamName, Float32Array>) => Promise<{ score: number; value: T }>,
): Promise<{
  arrays: Record<ParamName, Float32Array>;
  history: TrainProgress[];
  best: { arrays: Record<ParamName, Float32Array>; value: T } | null;
  stoppedAt?: number;
}> {
  const users = data.train.filter((u) => u.length > 0);
  const shape = { items: data.tags.length, features: inputs.features.count, dim: config.dim };
  const init = initParams(shape, { seed: config.seed, protoScale: 0 });
  const tag = `pretrain-${config.seed}-${Date.now()}`;
  const shared: ParamName[] = ['contentW', 'itemEmb', 'contentBias', 'itemBias', 'popInit', 'popWeight'];
  const vars = Object.fromEntries(shared.map((n) => [n, tf.variable(init[n], true, `${tag}/${n}`)])) as Partial<MetaParams>;
  const rng = createRng(`${config.seed}:pretrain`);
  // tf.variable holds its own reference to the draw's data: the draw itself is disposed here.
  const draw = tf.randomNormal([users.length, config.dim], 0, 0.05, 'float32', config.seed);
  const table = tf.variable(draw, true, `${tag}/users`);
  draw.dispose();
  const optimizer = tf.train.adam(config.metaLr);
  // The initialization is the average training user.
  const snapshot = async (): Promise<Record<ParamName, Float32Array>> => {
    const arrays = await toArrays({ ...init, ...vars } as MetaParams);
    const mean = tf.mean(table, 0);
    arrays.userInit = (await mean.data()) as Float32Array;
    mean.dispose();
    return arrays;
  };
  const result = await trainLoop({
    iterations: config.iterations,
    validateEvery: config.validateEvery,
    batchSize: config.batchSize,
    async batch() {
      const picks = Array.from({ length: config.batchSize }, () => rng.int(users.length));
      const oneHot = new Float32Array(picks.length * users.length);
      picks.forEach((u, b) => (oneHot[b * users.length + u] = 1));
      const rows = tf.tensor2d(oneHot, [picks.length, users.length]);
      const lists = picks.map((u) => users[u]!);
      const sample = run.sampling ? pooledCandidates(lists, run.sampling) : undefined;
      const targets = tf.tensor2d(
        sample ? candidateRows(lists, sample.ids, shape.items, weighting === 'user') : normalizedRows(lists, shape.items, weighting === 'user'),
        [picks.length, sample ? sample.ids.length : shape.items],
      );
      const candidates = sample ? candidateTensors(sample) : undefined;
      // one-hot rows select user vectors without tf.gather, whose gradient the wasm backend lacks
      const loss = optimizer.minimize(
        () => tf.tidy(() => pooledLoss({ ...init, ...vars } as MetaParams, inputs, times(rows, table as tf.Tensor2D), targets, table, config.weightDecay, candidates)),
        true,
      )!;
      const value = (await loss.data())[0]!;
      tf.dispose([loss, rows, targets, ...(candidates ? [candidates.ids, candidates.logInclusion] : [])]);
      return value;
    },
    async checkpoint() {
      if (!validate) return undefined;
      const arrays = await snapshot();
      const v = await validate(arrays);
      return { score: v.score, keep: async () => ({ arrays, value: v.value }) };
    },
    ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    ...(run.reporter ? { reporter: run.reporter } : {}),
    ...(run.deadline !== undefined ? { deadline: run.deadline } : {}),
    stage: 'pretraining',
  });
  const arrays = result.best ? result.best.value.arrays : await snapshot();
  optimizer.dispose();
  table.dispose();
  for (const n of shared) vars[n]!.dispose();
  disposeParams(init);
  return { arrays, history: result.history, best: result.best?.value ?? null, ...(result.stoppedAt !== undefined ? { stoppedAt: result.stoppedAt } : {}) };
}

/** C = the batch's positives ∪ the draws (the pooled loss's own positives are its in-batch negatives for the other rows). */
function pooledCandidates(lists: readonly Int32Array[], sampling: TaskSampling): { ids: Int32Array; logInclusion: Float32Array } {
  const positives = new Set<number>();
  for (const l of lists) for (const i of l) positives.add(i);
  return candidateSet(positives, sampling.drawn ?? drawNegatives(sampling.sampler, sampling.rng), sampling.sampler);
}

/** normalizedRows over the candidates `ids` ([rows, C]) instead of the catalog. */
function candidateRows(lists: readonly Int32Array[], ids: Int32Array, items: number, normalize: boolean): Float32Array {
  const at = candidatePositions(ids, items);
  const out = new Float32Array(lists.length * ids.length);
  lists.forEach((l, row) => l.forEach((i) => (out[row * ids.length + at[i]!]! += normalize ? 1 / l.length : 1)));
  return out;
}
