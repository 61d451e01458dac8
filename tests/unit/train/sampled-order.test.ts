// Sampled softmax on the order-aware model's tasks (protocol v2's next-click tasks,
// transition rows, a learned recency decay): the candidate path (item rows gathered
// first) must give the loss and meta-gradients of the full catalog's scores with
// their columns picked out and logQ-corrected, and leave the support untouched.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { innerLoop } from '../../../src/core/inner';
import { metaStep, trainableNames, type MetaConfig } from '../../../src/core/meta';
import { computeItemTable, feedbackLoss, scoreBatch } from '../../../src/core/model';
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
  const options = (sampling?: TaskOptions['sampling']): TaskOptions => ({
    neighbours: buildNeighbours(train, ITEMS, 5, 1),
    transitions: buildTransitions(train, ITEMS, 4, 1),
    recency: { decay: 0.8, learn: true },
    nextClickShare: 0.5,
    ...(sampling ? { sampling } : {}),
  });
  const sampling = () => ({ sampler: negativeSampler(Array.from({ length: ITEMS }, (_, i) => i % 7), 12), rng: createRng('draws') });

  it('keeps the support rows (positives, neighbour, transition and decay-derivative rows) of the full batch', async () => {
    const full = sampleTasks(train, ITEMS, 8, createRng('tasks'), options());
    const sampled = sampleTasks(train, ITEMS, 8, createRng('tasks'), options(sampling()));
    for (const key of ['positives', 'neighbours', 'transitions', 'positivesDecay', 'neighboursDecay', 'transitionsDecay'] as const) {
      expect(sampled.support[key], key).toBeDefined();
      expect(await sampled.support[key]!.array(), key).toEqual(await full.support[key]!.array());
    }
    // Every query click is among the candidates.
    expect(await tf.sum(sampled.query.positives).data()).toEqual(await tf.sum(full.query.positives).data());
    disposeTasks(full);
    disposeTasks(sampled);
  });

  it('gives second-order MAML the loss and gradients of the full scores, columns picked and logQ-corrected', async () => {
    const shape = { items: ITEMS, features: 3, dim: 4 };
    const init = initParams(shape, { seed: 4, scale: 0.4, innerLr: 0.5, protoScale: 0.7, decay: 0.8, seqInit: 1.5 });
    const vars = {} as MetaParams;
    for (const n of PARAM_NAMES) vars[n] = tf.variable(init[n], true, `sampled-order/${n}`);
    const names = [CONSTANT_FEATURE, 'a', 'b'];
    const tags = Array.from({ length: ITEMS }, (_, i) => [names[1 + (i % 2)]!]);
    const inputs = itemInputs(contentFeatures(tags, names), new Float32Array(ITEMS).fill(1), Float32Array.from({ length: ITEMS }, (_, i) => Math.log(1 + (i % 5))));
    const batch = sampleTasks(train, ITEMS, 8, createRng('tasks'), options(sampling()));
    const config: MetaConfig = { algorithm: 'maml', innerSteps: 2, learnRates: true, weightDecay: 0, neighbours: true, transitions: true, recency: true };
    const before = tf.memory().numTensors;
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    const trainable = trainableNames(config);
    expect(trainable).toContain('logitDecay');
    expect(trainable).toContain('logSeqInit');
    const reference = (): tf.Scalar =>
      tf.tidy(() => {
        const items = computeItemTable(vars, inputs);
        const adapted = innerLoop(vars, items, batch.support, config.innerSteps);
        const picked = tf.gather(scoreBatch(items, adapted), batch.candidates!.ids, 1) as tf.Tensor2D;
        const perUser = feedbackLoss(tf.sub(picked, batch.candidates!.logInclusion) as tf.Tensor2D, batch.query);
        return tf.div(tf.sum(perUser), tf.sum(batch.query.positives)) as tf.Scalar;
      });
    const ref = tf.variableGrads(reference, trainable.map((n) => vars[n] as tf.Variable));
    expect((await loss.data())[0]).toBeCloseTo((await ref.value.data())[0]!, 5);
    for (const n of trainable) {
      const got = await grads[n]!.data();
      const want = await ref.grads[(vars[n] as tf.Variable).name]!.data();
      let worst = 0;
      let scale = 1e-6;
      for (let i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        scale = Math.max(scale, Math.abs(want[i]!));
      }
      expect(worst / scale, n).toBeLessThan(1e-4);
    }
    // The order-aware parameters are really trained by the sampled loss.
    expect(Math.abs((await grads.logitDecay!.data())[0]!)).toBeGreaterThan(0);
    expect(Math.abs((await grads.logSeqInit!.data())[0]!)).toBeGreaterThan(0);
    tf.dispose([loss, ...Object.values(grads), ref.value, ...Object.values(ref.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    disposeTasks(batch);
    disposeInputs(inputs);
    for (const n of PARAM_NAMES) vars[n].dispose();
  });
});
