// The recency decay and the sequential term: their meta-gradients against finite differences of
// the true function (rows rebuilt on the host at each decay), through second-order MAML.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeItemTable, feedbackLoss, scoreBatch } from '../../../src/core/model';
import { innerLoop } from '../../../src/core/inner';
import { metaStep } from '../../../src/core/meta';
import { decayLogit, PARAM_NAMES, type MetaParams } from '../../../src/core/params';
import { decayOf, recencyWeights } from '../../../src/core/recency';
import { seqWeights } from '../../../src/core/transitions';
import { finiteDifference, orderSupport, tinyModel, tinyTasks } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const support = orderSupport;

/** The query loss after two inner steps with the rows rebuilt at the parameters' decay: the true function. */
function trueLoss(params: MetaParams, name: keyof MetaParams) {
  const { inputs } = tinyModel();
  const { query } = tinyTasks();
  return (t: tf.Tensor): tf.Scalar => {
    const p = { ...params, [name]: t };
    const decay = decayOf(t === p.logitDecay ? (t.dataSync()[0] as number) : (params.logitDecay.dataSync()[0] as number));
    const s = support(decay, false);
    const loss = tf.tidy(() => {
      const items = computeItemTable(p, inputs);
      const users = innerLoop(p, items, s, 2);
      return tf.div(tf.sum(feedbackLoss(scoreBatch(items, users), query)), tf.maximum(tf.sum(query.positives), 1)) as tf.Scalar;
    });
    tf.dispose(Object.values(s));
    return loss;
  };
}

describe('recency weights', () => {
  it('sum to 1, weigh the last click most, and their derivative matches finite differences', () => {
    const { weights, dDecay } = recencyWeights(5, 0.7);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(weights[4]).toBeGreaterThan(weights[0]!);
    const eps = 1e-6;
    const up = recencyWeights(5, 0.7 + eps).weights;
    const down = recencyWeights(5, 0.7 - eps).weights;
    dDecay.forEach((d, j) => expect(d).toBeCloseTo((up[j]! - down[j]!) / (2 * eps), 6));
    expect([...recencyWeights(4, 1).weights]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(decayOf(decayLogit(1))).toBe(1);
  });

  it('the sequential row looks back on the last five clicks only', () => {
    const { weights } = seqWeights(8, 0.5);
    expect([...weights]).toEqual([0, 0, 0, 0.0625, 0.125, 0.25, 0.5, 1]);
  });
});

describe('MAML meta-gradient with the recency decay and the sequential term', () => {
  it('matches finite differences of the true function for every parameter', async () => {
    const { params } = tinyModel();
    params.logitDecay.dispose();
    params.logitDecay = tf.tensor1d([decayLogit(0.6)]);
    const vars = {} as MetaParams;
    for (const n of PARAM_NAMES) vars[n] = tf.variable(params[n], true, `seq-fd/${n}`);
    const { inputs } = tinyModel();
    const { query } = tinyTasks();
    const batch = { support: support(0.6, true), query };
    const config = { algorithm: 'maml', innerSteps: 2, learnRates: true, weightDecay: 0, neighbours: true, transitions: true, recency: true } as const;
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    expect((await loss.data())[0]).toBeCloseTo((await trueLoss(vars, 'userInit')(vars.userInit).data())[0]!, 5);
    for (const name of ['logitDecay', 'logSeqInit', 'logLrSeq', 'logKnnInit', 'protoScale', 'userInit', 'contentCtx'] as const) {
      const g = await grads[name]!.data();
      for (const i of [0, g.length - 1]) {
        const fd = await finiteDifference(vars[name], i, trueLoss(vars, name), 1e-3);
        expect(g[i], `${name}[${i}]`).toBeCloseTo(fd, 2);
      }
    }
    expect(Math.abs((await grads.logitDecay!.data())[0]!)).toBeGreaterThan(1e-4);
  });
});

describe('Reptile with the item-item and sequential terms', () => {
  it('moves their start weights: the pull reaches every adapted part of the visitor', async () => {
    const { params, inputs } = tinyModel();
    const vars = {} as MetaParams;
    for (const n of PARAM_NAMES) vars[n] = tf.variable(params[n], true, `reptile-seq/${n}`);
    const batch = { support: support(0.6, true), query: tinyTasks().query };
    const config = { algorithm: 'reptile', innerSteps: 2, learnRates: false, weightDecay: 0, neighbours: true, transitions: true, recency: true } as const;
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    for (const name of ['logKnnInit', 'logSeqInit'] as const) {
      expect(grads[name], name).toBeDefined();
      expect(Math.abs((await grads[name]!.data())[0]!), name).toBeGreaterThan(1e-6);
    }
    tf.dispose([loss, ...Object.values(grads), ...Object.values(batch.support)]);
  });
});
