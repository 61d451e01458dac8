import * as tf from '@tensorflow/tfjs-core';
import { itemInputs, featureMatrix, featureVocabulary, logPopularity } from '../core/features';
import { metaStep, type MetaAlgorithm } from '../core/meta';
import type { ItemInputs } from '../core/types';
import { disposeParams, fromArrays, initParams, PARAM_NAMES, toArrays, type MetaParams, type ModelShape, type ParamName } from '../core/params';
import { createRng } from '../math/rng';
import type { FoldData, UserPositives } from '../protocol/types';
import { episodeNdcg } from './episodes';
import { pooledParams } from './pretrain';
import type { Neighbours } from '../core/neighbours';
import { buildNeighbours } from './neighbours';
import { selectAlsStart, type AlsSearch, type AlsStart } from './als-start';
import { disposeTasks, sampleTasks } from './tasks';
import type { TrainConfig } from './config';

export * from './config';

/** Logit scale of the ALS start (ALS scores live in [0, 1]). */
const ALS_TEMPERATURE = 10;

/** What a training run needs, independent of the file format it came from. */
export interface TrainingData {
  /** Tags per catalog item (undefined: no content). */
  readonly tags: readonly (readonly string[] | undefined)[];
  /** Training users' positives in protocol order (catalog indices). */
  readonly train: readonly Int32Array[];
  /** Users to choose the best iteration on. */
  readonly validation: readonly UserPositives[];
}

export interface TrainProgress {
  readonly iteration: number;
  readonly loss: number;
  readonly tasksPerSecond: number;
  /** Mean validation nDCG@10 over the validation shot counts, when validated. */
  readonly validation?: number;
}

export interface TrainedModel {
  readonly params: MetaParams;
  readonly featureNames: readonly string[];
  readonly features: Float32Array;
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
  /** Which start won on validation, and the ALS head search when one ran. */
  readonly start: {
    readonly chosen: 'pooled' | 'als';
    /** Validation of the best meta-trained checkpoint (when meta-training ran). */
    readonly pooled?: number;
    readonly als?: Pick<AlsStart, 'head' | 'mean' | 'trials'>;
  };
}

export function trainingDataFromFold(fold: FoldData): TrainingData {
  return { tags: fold.content.map((c) => c?.tags), train: fold.train.map((u) => u.items), validation: fold.validation };
}

/** The item-side inputs of a training set: content features and the warm mask. */
export function itemSide(data: TrainingData): ItemSide {
  const names = featureVocabulary(data.tags);
  const counts = new Float32Array(data.tags.length);
  for (const u of data.train) for (const i of u) counts[i]! += 1;
  const warm = counts.map((c) => (c > 0 ? 1 : 0));
  return { names, features: featureMatrix(data.tags, names), warm, logPop: logPopularity(counts) };
}

/** The fixed item-side inputs of a model: content features, warm mask, log popularity. */
export interface ItemSide {
  readonly names: string[];
  readonly features: Float32Array;
  readonly warm: Float32Array;
  readonly logPop: Float32Array;
}

/** Meta-trains an initialization; keeps the parameters with the best validation objective. */
export async function trainMeta(
  data: TrainingData,
  config: TrainConfig,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainedModel> {
  if (config.algorithm === 'pretrain') throw new Error('trainMeta: use trainPretrain for the "pretrain" algorithm');
  const side = itemSide(data);
  const shape = { items: data.tags.length, features: side.names.length, dim: config.dim };
  const inputs = itemInputs(side.features, side.names.length, side.warm, side.logPop);
  const index = config.neighbours > 0 ? buildNeighbours(data.train, shape.items, config.neighbours, config.neighbourShrink) : undefined;
  const neighbours = index ? { m: index.m, ids: index.ids, sims: index.sims } : undefined;
  const evalSteps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
  const model = (params: MetaParams, history: TrainProgress[], validation: TrainedModel['validation'], tasksPerSecond: number, start: TrainedModel['start']): TrainedModel => ({
    params,
    featureNames: side.names,
    features: side.features,
    warm: side.warm,
    logPop: side.logPop,
    config,
    history,
    validation,
    tasksPerSecond,
    ...(neighbours ? { neighbours } : {}),
    start,
  });
  const content = { features: side.features, count: side.names.length, warm: side.warm };
  const als = config.transfer === 'pooled' ? undefined : await alsCandidate(data, config, { shape, inputs, content, steps: evalSteps, neighbours });
  const alsSummary = als ? { als: { head: als.head, mean: als.mean, trials: als.trials } } : {};
  if (als) onProgress?.({ iteration: 0, loss: NaN, tasksPerSecond: NaN, validation: als.mean });
  if (als && config.transfer === 'als') {
    tf.dispose([inputs.features, inputs.warm, inputs.logPop]);
    return model(fromArrays(als.arrays, shape), [], { mean: als.mean, byK: als.byK }, 0, { chosen: 'als', ...alsSummary });
  }
  const init = await startingParams(data, config, shape, inputs);
  const vars = {} as MetaParams;
  for (const n of PARAM_NAMES) vars[n] = tf.variable(init[n], true, `localrec-${config.seed}-${Date.now()}/${n}`);
  disposeParams(init);
  const optimizer = tf.train.adam(config.metaLr);
  const rng = createRng(`${config.seed}:tasks`);
  const metaConfig = {
    algorithm: config.algorithm as MetaAlgorithm,
    innerSteps: config.innerSteps,
    learnRates: config.learnRates,
    weightDecay: config.weightDecay,
    neighbours: index !== undefined,
  };
  const history: TrainProgress[] = [];
  let best: { arrays: Record<ParamName, Float32Array>; mean: number; byK: Record<number, number> } | null = null;
  let since = performance.now();
  let tasksSince = 0;
  let lossSum = 0;
  try {
    for (let it = 1; it <= config.iterations; it++) {
      const batch = sampleTasks(data.train, shape.items, config.batchSize, rng, undefined, index);
      const { loss, grads } = metaStep(vars, inputs, batch, metaConfig);
      optimizer.applyGradients(namedGrads(vars, grads));
      lossSum += (await loss.data())[0]!;
      tf.dispose([loss, ...Object.values(grads)]);
      disposeTasks(batch);
      tasksSince += config.batchSize;
      if (it % config.validateEvery === 0 || it === config.iterations) {
        const tasksPerSecond = (tasksSince * 1000) / (performance.now() - since);
        const v = await episodeNdcg(vars, inputs, data.validation, config.validationKs, evalSteps, neighbours);
        const p = { iteration: it, loss: lossSum / tasksSince * config.batchSize, tasksPerSecond, validation: v.mean };
        history.push(p);
        onProgress?.(p);
        if (!best || v.mean > best.mean) best = { arrays: await toArrays(vars), mean: v.mean, byK: v.byK };
        since = performance.now();
        tasksSince = 0;
        lossSum = 0;
      }
    }
  } finally {
    optimizer.dispose();
    disposeParams(vars);
  }
  const rates = history.map((h) => h.tasksPerSecond);
  const tasksPerSecond = rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
  const trained = { arrays: best!.arrays, mean: best!.mean, byK: best!.byK };
  // The meta-trained model and the ALS start meet on the validation users.
  const chosen = als && als.mean > trained.mean ? als : trained;
  tf.dispose([inputs.features, inputs.warm, inputs.logPop]);
  return model(fromArrays(chosen.arrays, shape), history, { mean: chosen.mean, byK: chosen.byK }, tasksPerSecond, {
    chosen: chosen === als ? 'als' : 'pooled',
    pooled: trained.mean,
    ...alsSummary,
  });
}

/** The ALS start with its head chosen on the validation users (see train/als-start). */
async function alsCandidate(data: TrainingData, config: TrainConfig, model: Pick<AlsSearch, 'shape' | 'inputs' | 'content' | 'steps' | 'neighbours'>): Promise<AlsStart> {
  const base = initParams(model.shape, { seed: config.seed });
  const arrays = await toArrays(base);
  disposeParams(base);
  const search = { ...model, train: data.train, base: arrays, validation: data.validation, ks: config.validationKs };
  return selectAlsStart(search, { dim: config.dim, alpha: config.alsAlpha, lambdas: config.alsLambdas, temperature: ALS_TEMPERATURE, seed: config.seed });
}

/** Random parameters, or pooled-pretrained ones with the context side copied from the item side. */
async function startingParams(data: TrainingData, config: TrainConfig, shape: ModelShape, inputs: ItemInputs): Promise<MetaParams> {
  const fresh = initParams(shape, { seed: config.seed, innerLr: config.innerLr, protoScale: 1 });
  if (config.pretrainIterations <= 0) return fresh;
  const arrays = await toArrays(fresh);
  disposeParams(fresh);
  const pooled = (await pooledParams(data, { ...config, iterations: config.pretrainIterations }, inputs, 'user')).arrays;
  return fromArrays(
    { ...arrays, ...pooled, contentCtx: pooled.contentW.slice(), ctxEmb: pooled.itemEmb.slice(), protoScale: arrays.protoScale, logLrUser: arrays.logLrUser, logLrPop: arrays.logLrPop, logShrink: arrays.logShrink, logKnnInit: arrays.logKnnInit, logLrKnn: arrays.logLrKnn },
    shape,
  );
}

function namedGrads(vars: MetaParams, grads: Partial<Record<ParamName, tf.Tensor>>): { name: string; tensor: tf.Tensor }[] {
  return Object.entries(grads).map(([name, g]) => ({ name: (vars[name as ParamName] as tf.Variable).name, tensor: g! }));
}

/** Item-side inputs of a trained model as tensors (the caller disposes). */
export function trainedInputs(model: TrainedModel): ItemInputs {
  return itemInputs(model.features, model.featureNames.length, model.warm, model.logPop);
}
