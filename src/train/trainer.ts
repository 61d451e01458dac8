import * as tf from '@tensorflow/tfjs-core';
import { metaStep, type MetaAlgorithm } from '../core/meta';
import { disposeParams, fromArrays, initParams, PARAM_NAMES, toArrays, type MetaParams, type ModelShape, type ParamName } from '../core/params';
import type { ItemInputs } from '../core/types';
import { disposeInputs } from '../core/features';
import { createRng } from '../math/rng';
import { ALS_ITERATIONS_STAGE, selectAlsStart, type AlsSearch, type AlsStart } from './als-start';
import { checkTrainConfig, type TrainConfig } from './config';
import type { ItemLists } from './episodes';
import { itemSide, sideInputs } from './item-side';
import { meanRate, trainLoop, type TrainProgress } from './loop';
import { chooseItemLists } from './list-search';
import { decayOf } from '../core/recency';
import { pooledParams, type PooledRun } from './pretrain';
import { SILENT_REPORTER, remainingMs, type TrainReporter } from './progress';
import { taskSampling } from './negatives';
import { validationSubset, validationUserCap } from './dataset-split';
import { chooseVocabulary, type VocabularyChoice } from './vocabulary';
import { disposeTasks, sampleTasks } from './tasks';
import { rowOptimizer } from './row-optimizer';
import type { CountChoice, RunOptions, TrainedModel, TrainingData } from './types';
import { NEXT_CLICK_SHARE, validate } from './validate';
import { countCandidates, countStage } from './neighbour-count';
import { screeningUsers } from './screening';

/** Shares of the --max-minutes budget, from the start of the run, after which the vocabulary, item-list and ALS searches start no new trial. */
export const VOCABULARY_BUDGET_SHARE = 0.15;
const LISTS_BUDGET_SHARE = 0.3;
const ALS_BUDGET_SHARE = 0.45;
/** At most this share of the --max-minutes budget is kept from meta-training for the neighbour-count trials (a trial that does not fit is skipped and recorded). */
export const COUNT_BUDGET_SHARE = 0.15;

/** The latest validation's wall time, ms: what the next one will take (the same users, model and catalog). */
export interface ValidationClock {
  ms: number;
}

/** Logit scale of the ALS start (ALS scores live in [0, 1]). */
const ALS_TEMPERATURE = 10;

/** Meta-trains an initialization; keeps the parameters with the best validation objective. */
export async function trainMeta(
  input: TrainingData,
  config: TrainConfig,
  onProgress?: (p: TrainProgress) => void,
  reporter: TrainReporter = SILENT_REPORTER,
  options: RunOptions = {},
): Promise<TrainedModel> {
  if (config.algorithm === 'pretrain') throw new Error('trainMeta: use trainPretrain for the "pretrain" algorithm');
  checkTrainConfig(config);
  const started = options.startedAt ?? performance.now();
  const deadline = config.maxMinutes > 0 ? started + config.maxMinutes * 60_000 : undefined;
  const data = { ...input, validation: validationSubset(input.validation, validationUserCap(config.validationUsers, input.tags.length), config.seed) };
  const vocabulary = await searchVocabulary(data, config, reporter, deadline === undefined ? undefined : started + (deadline - started) * VOCABULARY_BUDGET_SHARE);
  const side = itemSide(data, vocabulary.names);
  const shape = { items: data.tags.length, features: side.names.length, dim: config.dim };
  const inputs = sideInputs(side);
  const choice = chooseItemLists(data.train, shape.items, data.validation, config, reporter, deadline === undefined ? undefined : started + (deadline - started) * LISTS_BUDGET_SHARE);
  const index = choice.neighbours;
  const neighbours = index ? { m: index.m, ids: index.ids, sims: index.sims } : undefined;
  const seqIndex = choice.transitions;
  const transitions = seqIndex ? { m: seqIndex.m, ids: seqIndex.ids, sims: seqIndex.sims } : undefined;
  const lists = { neighbours, transitions };
  const evalSteps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
  const stops: { stage: string; iteration: number }[] = choice.stoppedAfter === undefined ? [] : [{ stage: 'item lists', iteration: choice.stoppedAfter }];
  const clock: ValidationClock = { ms: 0 };
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await run();
    clock.ms = performance.now() - t0;
    return v;
  };
  // The count choice's validations come after the loops: the loops leave time for them (the lists' own count is known, not revalidated).
  const countTrials = options.neighbourCounts && neighbours && neighbours.m > 0 ? countCandidates(options.neighbourCounts, neighbours.m).length - 1 : 0;
  const counted = async (params: MetaParams, known: number): Promise<CountChoice | undefined> => {
    if (!options.neighbourCounts) return undefined;
    const stage = await countStage({ params, inputs, neighbours, transitions }, data.validation, config, evalSteps, {
      counts: options.neighbourCounts,
      known,
      validationMs: clock.ms,
      reporter,
      ...(deadline !== undefined ? { deadline } : {}),
    });
    if (stage?.stop) stops.push(stage.stop);
    return stage?.choice;
  };
  const model = (params: MetaParams, history: readonly TrainProgress[], validation: TrainedModel['validation'], tasksPerSecond: number, start: TrainedModel['start'], neighbourCount: CountChoice | undefined): TrainedModel => ({
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
    ...(neighbourCount ? { neighbourCount } : {}),
    run: runSummary(data, vocabulary, config, started, stops),
  });
  const content = { features: side.features, warm: side.warm };
  // The ALS search may use up to this share of the budget; the loops after it share what is left.
  const alsDeadline = deadline === undefined ? {} : { deadline: started + (deadline - started) * ALS_BUDGET_SHARE };
  const als = config.transfer === 'pooled' ? undefined : await alsCandidate(data, config, { shape, inputs, content, steps: evalSteps, neighbours, lists, reporter, timed, ...alsDeadline }, options.shared ? { shared: options.shared, names: side.names } : undefined);
  if (als?.stoppedAfter !== undefined) stops.push({ stage: 'ALS start', iteration: als.stoppedAfter });
  if (als?.iterationsRun !== undefined) stops.push({ stage: ALS_ITERATIONS_STAGE, iteration: als.iterationsRun });
  const alsSummary = als ? { als: { head: als.head, mean: als.mean, trials: als.trials, ...(als.iterationsRun !== undefined ? { iterationsRun: als.iterationsRun } : {}), ...(als.screened ? { screened: als.screened } : {}) } } : {};
  if (als) onProgress?.({ iteration: 0, loss: NaN, tasksPerSecond: NaN, validation: als.mean });
  if (als && config.transfer === 'als') {
    const params = fromArrays(als.arrays, shape);
    const neighbourCount = await counted(params, als.mean);
    disposeInputs(inputs);
    return model(params, [], { mean: als.mean, byK: als.byK }, 0, { chosen: 'als', ...alsSummary }, neighbourCount);
  }
  const sampling = taskSampling(data, shape.items, config);
  // Time kept free after meta-training: its last validation, and the count trials (each as long as the latest validation) up to their share of the budget.
  const countCap = deadline === undefined ? 0 : (deadline - started) * COUNT_BUDGET_SHARE;
  const reserveMs = (): number => clock.ms + Math.min(clock.ms * countTrials, countCap);
  // The time left is shared by pretraining and meta-training in proportion to their batches.
  const share = config.pretrainIterations / (config.pretrainIterations + config.iterations);
  const pretrainDeadline = deadline === undefined ? undefined : performance.now() + Math.max(0, remainingMs(deadline) - reserveMs()) * share;
  // Pretraining depends on neither the objective nor the item lists: runs on the same users may share it (RunOptions.shared).
  const shared = options.shared && pretrainDeadline === undefined && !sampling ? { shared: options.shared, names: side.names } : undefined;
  const init = await startingParams(data, config, shape, inputs, { reporter, stops, sampling, ...(pretrainDeadline !== undefined ? { deadline: pretrainDeadline } : {}) }, shared);
  const vars = {} as MetaParams;
  for (const n of PARAM_NAMES) vars[n] = tf.variable(init[n], true, `localrec-${config.seed}-${Date.now()}/${n}`);
  disposeParams(init);
  // A sampled batch's gradient in the item tables is row-sparse: lazy Adam updates its candidates' rows alone (train/row-optimizer).
  const lazy = sampling && options.sampledAdam !== 'dense' ? await rowOptimizer(vars, config.metaLr) : undefined;
  const optimizer = lazy ? undefined : tf.train.adam(config.metaLr);
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
    stage: 'meta-training',
    reporter,
    // Meta-training competes with the ALS start: once it cannot reach it at its latest gain per checkpoint, the rest would be discarded.
    ...(als ? { floor: als.mean } : {}),
    ...(deadline !== undefined ? { deadline, reserveMs } : {}),
    async batch() {
      const recency = config.recency ? { decay: decayOf((await vars.logitDecay.data())[0]!), learn: true } : undefined;
      const tasks = { neighbours: index, transitions: seqIndex, recency, nextClickShare: NEXT_CLICK_SHARE[config.objective], sampling, whole: config.algorithm === 'reptile', itemSide: side };
      const batch = sampleTasks(data.train, shape.items, config.batchSize, rng, tasks);
      if (lazy) {
        const value = await lazy.step(inputs, batch, metaConfig);
        disposeTasks(batch);
        return value;
      }
      const { loss, grads } = metaStep(vars, inputs, batch, metaConfig);
      optimizer!.applyGradients(namedGrads(vars, grads));
      const value = (await loss.data())[0]!;
      tf.dispose([loss, ...Object.values(grads)]);
      disposeTasks(batch);
      return value;
    },
    async checkpoint() {
      lazy?.sync();
      const v = await timed(() => validate(vars, inputs, data.validation, config, evalSteps, lists));
      return { score: v.mean, keep: async () => ({ arrays: await toArrays(vars), mean: v.mean, byK: v.byK }) };
    },
    ...(onProgress ? { onProgress } : {}),
  }).finally(() => {
    optimizer?.dispose();
    lazy?.dispose();
    disposeParams(vars);
  });
  if (run.stoppedAt !== undefined) stops.push({ stage: 'meta-training', iteration: run.stoppedAt });
  const trained = run.best!.value;
  // The meta-trained model and the ALS start meet on the validation users.
  const chosen = als && als.mean > trained.mean ? als : trained;
  const params = fromArrays(chosen.arrays, shape);
  const neighbourCount = await counted(params, chosen.mean);
  disposeInputs(inputs);
  const fell = run.fellAt === undefined ? {} : { fellAt: run.fellAt };
  const start = { chosen: chosen === als ? ('als' as const) : ('pooled' as const), pooled: trained.mean, ...fell, ...alsSummary };
  return model(params, run.history, { mean: chosen.mean, byK: chosen.byK }, meanRate(run.history), start, neighbourCount);
}

/** The vocabulary search, reported as a stage of its own. */
async function searchVocabulary(data: TrainingData, config: TrainConfig, reporter: TrainReporter, deadline?: number): Promise<VocabularyChoice> {
  reporter.stage('vocabulary', config.tagMinCounts.length, 'trials');
  let done = 0;
  const choice = await chooseVocabulary(data, config, (t) => reporter.advance(++done, `min count ${t.minCount}: ${t.features} features, validation ${t.validation?.toFixed(4)}`), deadline);
  reporter.advance(config.tagMinCounts.length);
  reporter.note(`vocabulary: tags on ≥ ${choice.minCount} items, ${choice.names.length} features${choice.trials.length > 1 ? ` (of ${choice.trials.map((t) => `${t.minCount}: ${t.features}`).join(', ')})` : ''}`);
  return choice;
}

/** What the artifact's training block says about the run beyond the settings: vocabulary, validation users, sampling, budget. */
function runSummary(data: TrainingData, vocabulary: VocabularyChoice, config: TrainConfig, started: number, stops: readonly { stage: string; iteration: number }[]): TrainedModel['run'] {
  return {
    vocabulary: { minCount: vocabulary.minCount, features: vocabulary.names.length, trials: vocabulary.trials },
    validationUsers: data.validation.length,
    sampled: config.sampledAbove > 0 && data.tags.length > config.sampledAbove,
    seconds: (performance.now() - started) / 1000,
    stoppedEarly: stops,
  };
}

/** The ALS start with its head chosen on the validation users (see train/als-start). */
async function alsCandidate(
  data: TrainingData,
  config: TrainConfig,
  model: Pick<AlsSearch, 'shape' | 'inputs' | 'content' | 'steps' | 'neighbours' | 'reporter' | 'deadline'> & { readonly lists: ItemLists; readonly timed: <T>(run: () => Promise<T>) => Promise<T> },
  sharing?: { readonly shared: NonNullable<RunOptions['shared']>; readonly names: readonly string[] },
): Promise<AlsStart> {
  const base = initParams(model.shape, { seed: config.seed });
  const arrays = await toArrays(base);
  disposeParams(base);
  // The head grid is screened on a seeded third of the validation users when that third is large enough (train/screening).
  const screenUsers = screeningUsers(data.validation, config.seed);
  const search = {
    ...model,
    train: data.train,
    base: arrays,
    validate: (params: MetaParams) => model.timed(() => validate(params, model.inputs, data.validation, config, model.steps, model.lists)),
    ...(screenUsers ? { screen: { users: screenUsers.length, validate: (params: MetaParams) => validate(params, model.inputs, screenUsers, config, model.steps, model.lists) } } : {}),
    // ALS's factors depend on the training users and the content side (the vocabulary), not on the objective.
    ...(sharing ? { shared: <T>(key: string, make: () => T): T => sharing.shared(`${key} features=${JSON.stringify(sharing.names)}`, make) } : {}),
  };
  return selectAlsStart(search, { dim: config.dim, alpha: config.alsAlpha, lambdas: config.alsLambdas, temperature: ALS_TEMPERATURE, seed: config.seed });
}

/** Random parameters, or pooled-pretrained ones with the context side copied from the item side. */
async function startingParams(
  data: TrainingData,
  config: TrainConfig,
  shape: ModelShape,
  inputs: ItemInputs,
  run: PooledRun & { readonly stops: { stage: string; iteration: number }[] },
  sharing?: { readonly shared: NonNullable<RunOptions['shared']>; readonly names: readonly string[] },
): Promise<MetaParams> {
  const fresh = initParams(shape, { seed: config.seed, innerLr: config.innerLr, protoScale: 1, decay: config.recency ? config.decayInit : 1 });
  if (config.pretrainIterations <= 0) return fresh;
  const arrays = await toArrays(fresh);
  disposeParams(fresh);
  const pretrain = () => pooledParams(data, { ...config, iterations: config.pretrainIterations }, inputs, 'user', run);
  // Everything the pooled run reads besides the training users: the vocabulary and these settings.
  const { dim, seed, metaLr, batchSize, weightDecay, pretrainIterations, validateEvery } = config;
  const key = () => `pooled pretraining ${JSON.stringify({ features: sharing!.names, dim, seed, metaLr, batchSize, weightDecay, pretrainIterations, validateEvery })}`;
  const result = await (sharing ? sharing.shared(key(), pretrain) : pretrain());
  if (result.stoppedAt !== undefined) run.stops.push({ stage: 'pretraining', iteration: result.stoppedAt });
  const pooled = result.arrays;
  return fromArrays(
    { ...arrays, ...pooled, contentCtx: pooled.contentW.slice(), ctxEmb: pooled.itemEmb.slice(), protoScale: arrays.protoScale, logLrUser: arrays.logLrUser, logLrPop: arrays.logLrPop, logShrink: arrays.logShrink, logKnnInit: arrays.logKnnInit, logLrKnn: arrays.logLrKnn, logitDecay: arrays.logitDecay, logSeqInit: arrays.logSeqInit, logLrSeq: arrays.logLrSeq },
    shape,
  );
}

function namedGrads(vars: MetaParams, grads: Partial<Record<ParamName, tf.Tensor>>): { name: string; tensor: tf.Tensor }[] {
  return Object.entries(grads).map(([name, g]) => ({ name: (vars[name as ParamName] as tf.Variable).name, tensor: g! }));
}
