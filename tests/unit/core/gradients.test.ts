import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeItemTable, feedbackLoss, scoreBatch, userGrad } from '../../../src/core/model';
import { innerLoop, startUsers } from '../../../src/core/inner';
import { metaStep, trainableNames } from '../../../src/core/meta';
import { PARAM_NAMES, type MetaParams } from '../../../src/core/params';
import type { FeedbackBatch, ItemTable, UserBatch } from '../../../src/core/types';
import { finiteDifference, tinyModel, tinyTasks } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Gradient of the summed support loss by tfjs autodiff: a first-order reference
 * for the closed form only. Under an outer tape (tfjs 4.22) a tf.grads nested in
 * variableGrads drops the Hessian terms, so meta-training uses the closed form,
 * whose second-order gradients are checked against finite differences below.
 */
function autodiffUserGrad(items: ItemTable, users: UserBatch, feedback: FeedbackBatch): UserBatch {
  const [user, pop] = tf.grads((u: tf.Tensor, p: tf.Tensor) =>
    tf.sum(feedbackLoss(scoreBatch(items, { ...users, user: u as tf.Tensor2D, pop: p as tf.Tensor2D }), feedback)),
  )([users.user, users.pop]);
  return { user: user as tf.Tensor2D, pop: pop as tf.Tensor2D };
}

describe('inner gradient (first order)', () => {
  it.each(['support', 'query'] as const)('closed form matches autodiff and finite differences (%s, with exclusions)', async (which) => {
    const { params, inputs } = tinyModel();
    const support = tinyTasks()[which];
    const items = computeItemTable(params, inputs);
    const users = startUsers(params, items, support);
    const analytic = userGrad(items, users, support);
    const auto = autodiffUserGrad(items, users, support);
    const loss = (user: tf.Tensor, pop: tf.Tensor): tf.Scalar =>
      tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(items, { ...users, user: user as tf.Tensor2D, pop: pop as tf.Tensor2D }), support)));
    const gUser = await analytic.user.data();
    const gAuto = await auto.user.data();
    for (let i = 0; i < gUser.length; i++) {
      const fd = await finiteDifference(users.user, i, (u) => loss(u, users.pop));
      expect(gUser[i]).toBeCloseTo(fd, 3);
      expect(gAuto[i]).toBeCloseTo(gUser[i]!, 5);
    }
    const gPop = await analytic.pop.data();
    for (let i = 0; i < gPop.length; i++) {
      const fd = await finiteDifference(users.pop, i, (p) => loss(users.user, p));
      expect(gPop[i]).toBeCloseTo(fd, 3);
    }
    // the item-item weight: present when the support has neighbour rows
    const knnLoss = (w: tf.Tensor): tf.Scalar =>
      tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(items, { ...users, knn: w as tf.Tensor2D }), support)));
    if (which === 'support') {
      const gKnn = await analytic.knn!.data();
      for (let i = 0; i < gKnn.length; i++) expect(gKnn[i]).toBeCloseTo(await finiteDifference(users.knn!, i, knnLoss), 3);
    } else expect(analytic.knn).toBeUndefined();
  });
});

/** Query loss after `steps` inner steps, as a function of one parameter. */
function metaLoss(params: MetaParams, name: keyof MetaParams, steps: number) {
  const { inputs } = tinyModel();
  const { support, query } = tinyTasks();
  return (t: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const p = { ...params, [name]: t };
      const items = computeItemTable(p, inputs);
      const users = innerLoop(p, items, support, steps);
      return tf.mean(feedbackLoss(scoreBatch(items, users), query)) as tf.Scalar;
    });
}

function asVariables(params: MetaParams, tag: string): MetaParams {
  const out = {} as MetaParams;
  for (const n of PARAM_NAMES) out[n] = tf.variable(params[n], true, `${tag}/${n}`);
  return out;
}

describe('MAML meta-gradient (second order, through the inner loop)', () => {
  it('matches finite differences for every parameter', async () => {
    const { params, inputs } = tinyModel();
    const vars = asVariables(params, 'fd');
    const batch = tinyTasks();
    const config = { algorithm: 'maml', innerSteps: 2, learnRates: true, weightDecay: 0, neighbours: true } as const;
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    const expected = await metaLoss(vars, 'userInit', 2)(vars.userInit).data();
    expect((await loss.data())[0]).toBeCloseTo(expected[0]!, 5);
    // The recency decay and the sequential term have their own check (recency-gradients.test.ts).
    for (const name of trainableNames(config)) {
      const g = await grads[name]!.data();
      const size = g.length;
      for (const i of [0, Math.floor(size / 2), size - 1]) {
        const fd = await finiteDifference(vars[name], i, metaLoss(vars, name, 2));
        expect(g[i], `${name}[${i}]`).toBeCloseTo(fd, 2);
      }
    }
  });

  it('first-order methods leave the learning rates alone and give finite gradients', async () => {
    for (const algorithm of ['fomaml', 'reptile', 'protonet'] as const) {
      const { params, inputs } = tinyModel();
      const vars = asVariables(params, `fo-${algorithm}`);
      const tasks = tinyTasks();
      const before = tf.memory().numTensors;
      const { loss, grads } = metaStep(vars, inputs, tasks, {
        algorithm,
        innerSteps: 2,
        learnRates: true,
        weightDecay: 1e-3,
      });
      expect(grads.logLrUser).toBeUndefined();
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      for (const g of Object.values(grads)) {
        for (const v of await g!.data()) expect(Number.isFinite(v)).toBe(true);
      }
      tf.dispose([loss, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
