// Sampled softmax on the order-aware model's tasks (protocol v2's next-click tasks,
// transition rows, a learned recency decay): a sampled batch runs the whole task on
// its candidates (core/sampled). With every item a candidate at r = 1 it must be the
// full path exactly, for every algorithm; the candidates' own item inputs must give
// the catalog's table gathered at them.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { metaStep, trainableNames, type MetaAlgorithm, type MetaConfig } from '../../../src/core/meta';
import { initParams, PARAM_NAMES, type MetaParams } from '../../../src/core/params';
import { CONSTANT_FEATURE, contentFeatures, disposeInputs, itemInputs } from '../../../src/core/features';
import { createRng } from '../../../src/math/rng';
import { negativeSampler } from '../../../src/train/negatives';
import { buildNeighbours } from '../../../src/train/neighbours';
import { disposeTasks, sampleTasks, type TaskOptions } from '../../../src/train/tasks';
import { buildTransitions } from '../../../src/train/transitions';

const ITEMS = 30;

/** Users with sequential habits (item i is often followed by i + 1), so transitions carry weight. */
function users(): Int32Array[] {
  const rng = createRng('order-users');
  return Array.from({ length: 40 }, () => {
    let item = rng.int(ITEMS);
    return Int32Array.from({ length: 4 + rng.int(8) }, () => (item = rng.next() < 0.6 ? (item + 1) % ITEMS : rng.int(ITEMS)));
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sampled softmax on next-click tasks with transitions and a learned decay', () => {
  const train = users();
  const options = (sampling?: TaskOptions['sampling'], whole = false): TaskOptions => ({
    neighbours: buildNeighbours(train, ITEMS, 5, 1),
    transitions: buildTransitions(train, ITEMS, 4, 1),
    recency: { decay: 0.8, learn: true },
    nextClickShare: 0.5,
    ...(sampling ? { sampling, itemSide: side } : {}),
    whole,
  });
  const sampling = () => ({ sampler: negativeSampler(Array.from({ length: ITEMS }, (_, i) => i % 7), 12), rng: createRng('draws') });
  const names = [CONSTANT_FEATURE, 'a', 'b'];
  const features = contentFeatures(Array.from({ length: ITEMS }, (_, i) => (i % 3 === 0 ? [] : [names[1 + (i % 2)]!])), names);
  const side = { features, warm: Float32Array.from({ length: ITEMS }, (_, i) => (i % 10 === 9 ? 0 : 1)), logPop: Float32Array.from({ length: ITEMS }, (_, i) => Math.log(1 + (i % 5))) };
  const shape = { items: ITEMS, features: 3, dim: 4 };
  const variables = (tag: string): MetaParams => {
    const init = initParams(shape, { seed: 4, scale: 0.4, innerLr: 0.5, protoScale: 0.7, decay: 0.8, seqInit: 1.5 });
    const vars = {} as MetaParams;
    for (const n of PARAM_NAMES) vars[n] = tf.variable(init[n], true, `sampled-order/${tag}/${n}`);
    return vars;
  };
  const config = (algorithm: MetaAlgorithm): MetaConfig => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 0.001, neighbours: true, transitions: true, recency: true });

  it('builds every row of the task over the candidates: the full batch\'s rows at their columns', async () => {
    const full = sampleTasks(train, ITEMS, 8, createRng('tasks'), options());
    const sampled = sampleTasks(train, ITEMS, 8, createRng('tasks'), options(sampling()));
    const ids = Array.from(await sampled.candidates!.ids.data());
    expect(ids.length).toBeLessThan(ITEMS);
    for (const key of ['positives', 'neighbours', 'transitions', 'positivesDecay', 'neighboursDecay', 'transitionsDecay'] as const) {
      expect(sampled.support[key]!.shape, key).toEqual([8, ids.length]);
      const rows = (await full.support[key]!.array()) as number[][];
      expect(await sampled.support[key]!.array(), key).toEqual(rows.map((r) => ids.map((i) => r[i]!)));
    }
    // Every click of the batch, support and query, is among the candidates: nothing of a task is lost.
    for (const key of ['positives', 'excluded'] as const) {
      expect(await tf.sum(sampled.query[key]!).data(), key).toEqual(await tf.sum(full.query[key]!).data());
    }
    expect(await tf.sum(sampled.support.positives).data()).toEqual(await tf.sum(full.support.positives).data());
    disposeTasks(full);
    disposeTasks(sampled);
  });

  it.each(['maml', 'fomaml', 'reptile', 'protonet'] as const)('%s: with every item a candidate and log r = 0, the sampled path gives the full path\'s loss and meta-gradients', async (algorithm) => {
    const vars = variables(algorithm);
    const inputs = itemInputs(side.features, side.warm, side.logPop);
    const full = sampleTasks(train, ITEMS, 8, createRng('tasks'), options());
    const every = { ...sampling(), drawn: Int32Array.from({ length: ITEMS }, (_, i) => i) };
    const drawn = sampleTasks(train, ITEMS, 8, createRng('tasks'), options(every, algorithm === 'reptile'));
    // The draws cover the catalog; certain inclusion (r = 1) makes the sampled softmax the full one.
    tf.dispose(drawn.candidates!.logInclusion);
    const sampled = { ...drawn, candidates: { ...drawn.candidates!, logInclusion: tf.zeros([1, ITEMS]) as tf.Tensor2D } };
    const before = tf.memory().numTensors;
    const a = metaStep(vars, inputs, full, config(algorithm));
    const b = metaStep(vars, inputs, sampled, config(algorithm));
    expect((await b.loss.data())[0]).toBeCloseTo((await a.loss.data())[0]!, 5);
    // The same parameters get gradients (Reptile's pull leaves the item-list start weights without one on both paths).
    const names = trainableNames(config(algorithm)).filter((n) => a.grads[n]);
    expect(names.length).toBeGreaterThan(10);
    expect(trainableNames(config(algorithm)).filter((n) => b.grads[n])).toEqual(names);
    for (const n of names) expect(relativeError(await b.grads[n]!.data(), await a.grads[n]!.data()), n).toBeLessThan(1e-4);
    tf.dispose([a.loss, b.loss, ...Object.values(a.grads), ...Object.values(b.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    disposeTasks(full);
    disposeTasks(sampled);
    disposeInputs(inputs);
    for (const n of PARAM_NAMES) vars[n].dispose();
  });

  it('computes the candidates\' table from their own inputs as the catalog\'s table gathered at them', async () => {
    const vars = variables('own-inputs');
    const inputs = itemInputs(side.features, side.warm, side.logPop);
    const own = sampleTasks(train, ITEMS, 8, createRng('tasks'), options(sampling()));
    const gathered = { ...own, candidates: { ids: own.candidates!.ids, logInclusion: own.candidates!.logInclusion } };
    expect(own.candidates!.inputs!.warm.shape).toEqual([own.candidates!.ids.shape[0], 1]);
    const a = metaStep(vars, inputs, own, config('maml'));
    const b = metaStep(vars, inputs, gathered, config('maml'));
    expect((await a.loss.data())[0]).toBeCloseTo((await b.loss.data())[0]!, 5);
    for (const n of trainableNames(config('maml'))) expect(relativeError(await a.grads[n]!.data(), await b.grads[n]!.data()), n).toBeLessThan(1e-4);
    // The order-aware parameters are really trained on the sub-catalog.
    expect(Math.abs((await a.grads.logitDecay!.data())[0]!)).toBeGreaterThan(0);
    expect(Math.abs((await a.grads.logSeqInit!.data())[0]!)).toBeGreaterThan(0);
    tf.dispose([a.loss, b.loss, ...Object.values(a.grads), ...Object.values(b.grads)]);
    disposeTasks(own);
    disposeInputs(inputs);
    for (const n of PARAM_NAMES) vars[n].dispose();
  });

  it('refuses a sampled batch whose rows are over the catalog', () => {
    const vars = variables('refuse');
    const inputs = itemInputs(side.features, side.warm, side.logPop);
    const full = sampleTasks(train, ITEMS, 4, createRng('tasks'), options());
    const ids = tf.tensor1d([0, 1, 2], 'int32');
    const wrong = { ...full, candidates: { ids, logInclusion: tf.zeros([1, 3]) as tf.Tensor2D } };
    expect(() => metaStep(vars, inputs, wrong, config('maml'))).toThrow(/support rows of a sampled batch have 30 columns, expected one per candidate \(3\)/);
    disposeTasks(wrong);
    disposeInputs(inputs);
    for (const n of PARAM_NAMES) vars[n].dispose();
  });
});

/** Largest absolute difference relative to the largest reference entry. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}
