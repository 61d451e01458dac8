// Sampled softmax (docs/TRAINING.md): the candidate path against the full-catalog loss,
// a float64 Horvitz–Thompson reference, and the meta-gradients of a task run on its
// sampled sub-catalog against finite differences.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { innerLoop } from '../../../src/core/inner';
import { metaStep, trainableNames } from '../../../src/core/meta';
import { computeItemTable, feedbackLoss, scoreBatch } from '../../../src/core/model';
import { PARAM_NAMES, type MetaParams } from '../../../src/core/params';
import { candidateScores, sampledLoss, type Candidates } from '../../../src/core/sampled';
import type { FeedbackBatch } from '../../../src/core/types';
import { candidateSet, candidateTensors, negativeSampler } from '../../../src/train/negatives';
import { disposeTasks, taskBatch } from '../../../src/train/tasks';
import { finiteDifference, tinyModel, tinyTasks } from './fixture';

const N = 7;
/** Training users per item (the draw distribution), the two tasks' query clicks and support. */
const COUNTS = [9, 4, 6, 1, 0, 3, 2];
const QUERIES = [[5], [2, 6]];
const SUPPORTS = [[0, 1], [3]];
/** Explicit draws (as the equivalence tests with PyTorch pass them): item 1 twice, 4, and 2 (also a positive). */
const DRAWN = Int32Array.of(1, 4, 1, 2);
const sampler = negativeSampler(COUNTS, DRAWN.length);
const set = candidateSet(new Set(QUERIES.flat()), DRAWN, sampler);

/** Query rows over the candidates ([B, C]): each held-out click 1, the support excluded. */
function queryOver(ids: Int32Array): FeedbackBatch {
  const row = (items: number[]) => Array.from(ids, (i) => (items.includes(i) ? 1 : 0));
  return { positives: tf.tensor2d(QUERIES.map(row)), excluded: tf.tensor2d(SUPPORTS.map(row)) };
}

/** The support of tinyTasks without impressions (training tasks have none). */
function trainingSupport(): FeedbackBatch {
  const { support } = tinyTasks();
  return { positives: support.positives, count: support.count!, neighbours: support.neighbours! };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'])('sampled softmax on %s', (name) => {
  beforeAll(async () => {
    await tf.setBackend(name);
  });

  it('scoring every item as a positive-weight candidate is exactly the full-catalog loss', async () => {
    const { params, inputs } = tinyModel();
    const items = computeItemTable(params, inputs);
    const users = innerLoop(params, items, trainingSupport(), 2);
    const all: Candidates = { ids: tf.tensor1d(Array.from({ length: N }, (_, i) => i), 'int32'), logInclusion: tf.zeros([1, N]) };
    const query = queryOver(Int32Array.from({ length: N }, (_, i) => i));
    const full = await feedbackLoss(scoreBatch(items, users), query).data();
    const sampled = await sampledLoss(candidateScores(items, users, all), query, all).data();
    for (let b = 0; b < 2; b++) expect(sampled[b]).toBeCloseTo(full[b]!, 6);
  });

  it('equals a float64 Horvitz–Thompson reference built from the full scores', async () => {
    const { params, inputs } = tinyModel();
    const items = computeItemTable(params, inputs);
    const users = innerLoop(params, items, trainingSupport(), 2);
    const scores = (await scoreBatch(items, users).array()) as number[][];
    const candidates = candidateTensors(set);
    const got = await sampledLoss(candidateScores(items, users, candidates), queryOver(set.ids), candidates).data();
    // The reference: q, r_i = 1 − (1 − q_i)^S by plain powers, in float64.
    const total = COUNTS.reduce((a, n) => a + (n + 1) ** 0.75, 0);
    const positives = new Set(QUERIES.flat());
    for (let b = 0; b < 2; b++) {
      let normaliser = 0;
      for (const i of set.ids) {
        if (SUPPORTS[b]!.includes(i)) continue;
        const r = positives.has(i) ? 1 : 1 - (1 - (COUNTS[i]! + 1) ** 0.75 / total) ** DRAWN.length;
        normaliser += Math.exp(scores[b]![i]!) / r;
      }
      const want = QUERIES[b]!.reduce((a, i) => a - scores[b]![i]! + Math.log(normaliser), 0);
      expect(got[b]).toBeCloseTo(want, 4);
    }
    // C = P ∪ D: the positives 2, 5, 6 and the draws 1, 4.
    expect(Array.from(set.ids)).toEqual([1, 2, 4, 5, 6]);
  });

  it('second-order MAML on a sampled sub-catalog: every meta-gradient matches finite differences', async () => {
    // The whole task runs on C: support [0], [3] and query [5], [2, 6] (always in), draws 4, 4, 2: item 1 is out, item 4 carries log r.
    const { params, inputs, features } = tinyModel();
    const vars = {} as MetaParams;
    for (const n of PARAM_NAMES) vars[n] = tf.variable(params[n], true, `sampled-${name}/${n}`);
    const sub = candidateSet(new Set([0, 3, 5, 2, 6]), [4, 4, 2], negativeSampler(COUNTS, 3));
    expect(Array.from(sub.ids)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(sub.logInclusion[3]).toBeLessThan(0);
    const ids = Array.from(sub.ids);
    const knn = (await tinyTasks().support.neighbours!.array()) as number[][];
    const neighbourRows = Float32Array.from(knn.flatMap((row) => ids.map((i) => row[i]!)));
    const side = { features, warm: Float32Array.of(1, 1, 1, 1, 1, 0, 0), logPop: Float32Array.of(3, 1.5, 2, 0.7, 1, 0, 0) };
    const batch = taskBatch([Int32Array.of(0), Int32Array.of(3)], [Int32Array.of(5), Int32Array.of(2, 6)], N, neighbourRows, undefined, sub, side);
    expect(batch.support.positives.shape).toEqual([2, 6]);
    const config = { algorithm: 'maml', innerSteps: 2, learnRates: true, weightDecay: 0.01, neighbours: true } as const;
    const before = tf.memory().numTensors;
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    // The reference: the catalog's table, its rows at C picked by plain gathers, log r subtracted from the scores.
    const objective = (key: keyof MetaParams) => (t: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const p = { ...vars, [key]: t };
        const full = computeItemTable(p, inputs);
        const items = {
          vectors: tf.gather(full.vectors, batch.candidates!.ids) as tf.Tensor2D,
          bias: tf.gather(full.bias, batch.candidates!.ids) as tf.Tensor1D,
          context: tf.gather(full.context, batch.candidates!.ids) as tf.Tensor2D,
          offset: tf.neg(tf.reshape(batch.candidates!.logInclusion, [-1])) as tf.Tensor1D,
        };
        const users = innerLoop(p, items, batch.support, 2);
        const perUser = feedbackLoss(scoreBatch(items, users), batch.query);
        // A sampled batch's L2 covers its candidates' rows (the rows lazy Adam updates).
        const decay = tf.mul(0.01, tf.add(tf.sum(tf.square(tf.gather(p.itemEmb, batch.candidates!.ids))), tf.sum(tf.square(tf.gather(p.itemBias, batch.candidates!.ids)))));
        return tf.add(tf.div(tf.sum(perUser), tf.sum(batch.query.positives)), decay) as tf.Scalar;
      });
    const direct = objective('userInit')(vars.userInit);
    expect((await loss.data())[0]).toBeCloseTo((await direct.data())[0]!, 5);
    direct.dispose();
    for (const key of trainableNames(config)) {
      const g = await grads[key]!.data();
      for (const i of [0, Math.floor(g.length / 2), g.length - 1]) {
        expect(g[i], `${key}[${i}]`).toBeCloseTo(await finiteDifference(vars[key], i, objective(key)), 2);
      }
    }
    // Item 1 is not a candidate: no gradient at all, not even the weight decay's (it covers the candidates' rows).
    const gEmb = (await grads.itemEmb!.array()) as number[][];
    expect(gEmb[1]!.every((g) => g === 0)).toBe(true);
    expect(gEmb[0]!.some((g) => g !== 0)).toBe(true);
    tf.dispose([loss, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    disposeTasks(batch);
    for (const n of PARAM_NAMES) vars[n].dispose();
  });
});
