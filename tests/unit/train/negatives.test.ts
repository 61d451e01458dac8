import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { candidateSet, drawNegatives, negativeSampler, taskSampling } from '../../../src/train/negatives';
import { disposeTasks, sampleTasks } from '../../../src/train/tasks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('popularity-sampled negatives', () => {
  it('draws from q(i) ∝ (n_i + 1)^0.75', () => {
    const counts = [0, 3, 15, 80];
    const sampler = negativeSampler(counts, 200_000);
    const want = counts.map((n) => (n + 1) ** 0.75);
    const total = want.reduce((a, b) => a + b, 0);
    sampler.q.forEach((q, i) => expect(q).toBeCloseTo(want[i]! / total, 12));
    const drawn = drawNegatives(sampler, createRng('draws'));
    const freq = counts.map((_, i) => drawn.filter((d) => d === i).length / drawn.length);
    freq.forEach((f, i) => expect(Math.abs(f - sampler.q[i]!)).toBeLessThan(0.005));
  });

  it('gives positives r = 1 and drawn items r = 1 − (1 − q)^S, stably for tiny q', () => {
    const sampler = { q: Float64Array.of(0.5, 0.25, 0.25 - 1e-12, 1e-12), draws: 2048 };
    const { ids, logInclusion } = candidateSet([1], [0, 3, 3], sampler);
    expect(Array.from(ids)).toEqual([0, 1, 3]);
    expect(logInclusion[0]).toBeCloseTo(Math.log(1 - 0.5 ** 2048), 6);
    expect(logInclusion[1]).toBe(0);
    // 1 − (1 − 1e-12)^2048 ≈ 2048e-12, which the naive formula rounds to 0 (log → −∞).
    expect(logInclusion[2]).toBeCloseTo(Math.fround(Math.log(2048e-12)), 3);
  });

  it('makes the candidates\' exp-sum an unbiased (Horvitz–Thompson) estimate of the catalog\'s', () => {
    const rng = createRng('ht');
    const items = 300;
    const counts = Array.from({ length: items }, () => Math.floor(50 * rng.next() ** 3));
    const scores = Array.from({ length: items }, () => rng.normal());
    const truth = scores.reduce((a, s) => a + Math.exp(s), 0);
    const sampler = negativeSampler(counts, 40);
    let mean = 0;
    const runs = 3000;
    for (let r = 0; r < runs; r++) {
      const positives = [rng.int(items), rng.int(items)];
      const { ids, logInclusion } = candidateSet(positives, drawNegatives(sampler, rng), sampler);
      mean += ids.reduce((a, i, k) => a + Math.exp(scores[i]! - logInclusion[k]!), 0) / runs;
    }
    expect(Math.abs(mean / truth - 1)).toBeLessThan(0.02);
  });

  it('samples only above sampledAbove items, never with 0', () => {
    const data = { tags: new Array(100).fill(undefined), train: [Int32Array.of(1, 2)] };
    expect(taskSampling(data, 100, { sampledAbove: 0, negatives: 10, seed: 1 })).toBeUndefined();
    expect(taskSampling(data, 100, { sampledAbove: 100, negatives: 10, seed: 1 })).toBeUndefined();
    expect(taskSampling(data, 100, { sampledAbove: 99, negatives: 10, seed: 1 })?.sampler.draws).toBe(10);
  });
});

describe('sampled task batches', () => {
  it('keep the same tasks, every row over the candidates (each support and query click among them), the support excluded', async () => {
    const items = 40;
    const users = Array.from({ length: 12 }, (_, u) => Int32Array.from({ length: 6 }, (_, j) => (u * 3 + j * 5) % items));
    const sampler = negativeSampler(new Array(items).fill(1), 8);
    const full = sampleTasks(users, items, 4, createRng('tasks'));
    const sampled = sampleTasks(users, items, 4, createRng('tasks'), { sampling: { sampler, rng: createRng('n') } });
    const ids = Array.from(await sampled.candidates!.ids.data());
    const [fq, fx] = [(await full.query.positives.array()) as number[][], (await full.query.excluded!.array()) as number[][]];
    const [sq, sx] = [(await sampled.query.positives.array()) as number[][], (await sampled.query.excluded!.array()) as number[][]];
    const [fs, ss] = [(await full.support.positives.array()) as number[][], (await sampled.support.positives.array()) as number[][]];
    for (let b = 0; b < 4; b++) {
      // Every support and query click is a candidate: nothing of the task is lost.
      expect(sq[b]!.reduce((a, v) => a + v, 0)).toBe(fq[b]!.reduce((a, v) => a + v, 0));
      expect(ss[b]!.reduce((a, v) => a + v, 0)).toBeCloseTo(fs[b]!.reduce((a, v) => a + v, 0), 6);
      ids.forEach((i, k) => {
        expect(ss[b]![k]).toBe(fs[b]![i]);
        expect(sq[b]![k]).toBe(fq[b]![i]);
        expect(sx[b]![k]).toBe(fx[b]![i]);
      });
    }
    const logR = await sampled.candidates!.logInclusion.data();
    // r = 1 (log 0) exactly for the batch's clicks, support or query.
    ids.forEach((i, k) => expect(logR[k] === 0).toBe(fq.some((row) => row[i]! > 0) || fs.some((row) => row[i]! > 0)));
    disposeTasks(full);
    disposeTasks(sampled);
  });
});
