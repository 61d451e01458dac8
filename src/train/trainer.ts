import * as tf from '@tensorflow/tfjs-core';
import { metaStep, type MetaAlgorithm } from '../core/meta';
import { disposeParams, fromArrays, initParams, PARAM_NAMES, toArrays, type MetaParams, type ModelShape, type ParamName } from '../core/params';
import type { ItemInputs } from '../core/types';
import { createRng } from '../math/rng';
import { selectAlsStart, type AlsSearch, type AlsStart } from './als-start';
import { checkTrainConfig, type TrainConfig } from './config';
import type { ItemLists } from './episodes';
import { itemSide, sideInputs } from './item-side';
import { meanRate, trainLoop, type TrainProgress } from './loop';
import { chooseItemLists } from './list-search';
import { decayOf } from '../core/recency';
import { pooledParams } from './pretrain';
import { disposeTasks, sampleTasks } from './tasks';
import type { TrainedModel, TrainingData } from './types';
import { NEXT_CLICK_SHARE, validate } from './validate';

/** Logit scale of the ALS start (ALS scores live in [0, 1]). */
const ALS_TEMPERATURE = 10;

/** Meta-trains an initialization; keeps the parameters with the best validation objective. */
export async function trainMeta(
  data: TrainingData,
  config: TrainConfig,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainedModel> {
  if (config.algorithm === 'pretrain') throw new Error('trainMeta: use trainPretrain for the "pretrain" algorithm');
  checkTrainConfig(config);
  const side = itemSide(data);
  const shape = { items: data.tags.length, features: side.names.length, dim: config.dim };
  const inputs = sideInputs(side);
  const choice = chooseItemLists(data.train, shape.items, data.validation, config);
  const index = choice.neighbours;
  const neighbours = index ? { m: index.m, ids: index.ids, sims: index.sims } : undefined;
  const seqIndex = choice.transitions;
  const transitions = seqIndex ? { m: seqIndex.m, ids: seqIndex.ids, sims: seqIndex.sims } : undefined;
  const lists = { neighbours, transitions };
  const evalSteps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
  const model = (params: MetaParams, history: readonly TrainProgress[], validation: TrainedModel['validation'], tasksPerSecond: number, start: TrainedModel['start']): TrainedModel => ({
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
    ...(transitions ? { transitions } : {}),
    itemLists: { neighbourShrink: index?.shrink ?? null, transitions: seqIndex?.m ?? 0, trials: choice.trials },
    start,
  });
  const content = { features: side.features, count: side.names.length, warm: side.warm };
  const als = config.transfer === 'pooled' ? undefined : await alsCandidate(data, config, { shape, inputs, content, steps: evalSteps, neighbours, lists });
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
    transitions: seqIndex !== undefined,
    recency: config.recency,
  };
  const run = await trainLoop({
    iterations: config.iterations,
    validateEvery: config.validateEvery,
    batchSize: config.batchSize,
    async batch() {
      const recency = config.recency ? { decay: decayOf((await vars.logitDecay.data())[0]!), learn: true } : undefined;
      const tasks = { neighbours: index, transitions: seqIndex, recency, nextClickShare: NEXT_CLICK_SHARE[config.objective] };
      const batch = sampleTasks(data.train, shape.items, config.batchSize, rng, tasks);
      const { loss, grads } = metaStep(vars, inputs, batch, metaConfig);
      optimizer.applyGradients(namedGrads(vars, grads));
      const value = (await loss.data())[0]!;
      tf.dispose([loss, ...Object.values(grads)]);
      disposeTasks(batch);
      return value;
    },
    async checkpoint() {
      const v = await validate(vars, inputs, data.validation, config, evalSteps, lists);
      return { score: v.mean, keep: async () => ({ arrays: await toArrays(vars), mean: v.mean, byK: v.byK }) };
    },
    ...(onProgress ? { onProgress } : {}),
  }).finally(() => {
    optimizer.dispose();
    disposeParams(vars);
  });
  const trained = run.best!.value;
  // The meta-trained model and the ALS start meet on the validation users.
  const chosen = als && als.mean > trained.mean ? als : trained;
  tf.dispose([inputs.features, inputs.warm, inputs.logPop]);
  return model(fromArrays(chosen.arrays, shape), run.history, { mean: chosen.mean, byK: chosen.byK }, meanRate(run.history), {
    chosen: chosen === als ? 'als' : 'pooled',
    pooled: trained.mean,
    ...alsSummary,
  });
}

/** The ALS start with its head chosen on the validation users (see train/als-start). */
async function alsCandidate(
  data: TrainingData,
  config: TrainConfig,
  model: Pick<AlsSearch, 'shape' | 'inputs' | 'content' | 'steps' | 'neighbours'> & { readonly lists: ItemLists },
): Promise<AlsStart> {
  const base = initParams(model.shape, { seed: config.seed });
  const arrays = await toArrays(base);
  disposeParams(base);
  const search = { ...model, train: data.train, base: arrays, validate: (params: MetaParams) => validate(params, model.inputs, data.validation, config, model.steps, model.lists) };
  return selectAlsStart(search, { dim: config.dim, alpha: config.alsAlpha, lambdas: config.alsLambdas, temperature: ALS_TEMPERATURE, seed: config.seed });
}

/** Random parameters, or pooled-pretrained ones with the context side copied from the item side. */
async function startingParams(data: TrainingData, config: TrainConfig, shape: ModelShape, inputs: ItemInputs): Promise<MetaParams> {
  const fresh = initParams(shape, { seed: config.seed, innerLr: config.innerLr, protoScale: 1, decay: config.recency ? config.decayInit : 1 });
  if (config.pretrainIterations <= 0) return fresh;
  const arrays = await toArrays(fresh);
  disposeParams(fresh);
  const pooled = (await pooledParams(data, { ...config, iterations: config.pretrainIterations }, inputs, 'user')).arrays;
  return fromArrays(
    { ...arrays, ...pooled, contentCtx: pooled.contentW.slice(), ctxEmb: pooled.itemEmb.slice(), protoScale: arrays.protoScale, logLrUser: arrays.logLrUser, logLrPop: arrays.logLrPop, logShrink: arrays.logShrink, logKnnInit: arrays.logKnnInit, logLrKnn: arrays.logLrKnn, logitDecay: arrays.logitDecay, logSeqInit: arrays.logSeqInit, logLrSeq: arrays.logLrSeq },
    shape,
  );
}

function namedGrads(vars: MetaParams, grads: Partial<Record<ParamName, tf.Tensor>>): { name: string; tensor: tf.Tensor }[] {
  return Object.entries(grads).map(([name, g]) => ({ name: (vars[name as ParamName] as tf.Variable).name, tensor: g! }));
}
