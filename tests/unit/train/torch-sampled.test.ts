import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInputs, itemInputs } from '../../../src/core/features';
import { META_ALGORITHMS, type MetaAlgorithm, type MetaConfig } from '../../../src/core/meta';
import { initParams, PARAM_NAMES, type MetaParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { negativeSampler } from '../../../src/train/negatives';
import { buildNeighbours } from '../../../src/train/neighbours';
import { disposeTasks, sampleTasks, type TaskOptions } from '../../../src/train/tasks';
import { buildTransitions } from '../../../src/train/transitions';
import { askTorch, compare, feedbackJson, modelJson, relativeDifference, torchUnavailable, type TorchGrads } from './torch-bridge';
import { trainingFixture } from './torch-fixture';

// Both trainers run a sampled meta-batch whole on its sub-catalog (src/core/sampled.ts,
// trainer/localrec_trainer/core/sampled.py): TypeScript builds the batch's rows in the
// candidates' columns, PyTorch restricts the catalog-wide rows to them. Same candidates,
// same log r, same meta-loss and meta-gradients, for every algorithm.
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-sampled] skipped: ${unavailable}`);

const TOLERANCE = 1e-4;
/** Explicit draws (as PyTorch receives them): cold items 27 and 28 (twice) and a trained one. */
const DRAWN = Int32Array.of(27, 28, 28, 3);

describe.skipIf(unavailable !== null)(`TypeScript and PyTorch agree on a batch run on its sampled sub-catalog (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('on the candidates, their log r, and every algorithm\'s meta-loss and meta-gradients', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 6, scale: 0.3, innerLr: 0.5, decay: 0.7, seqInit: 1.2 });
    const inputs = itemInputs(f.features, f.warm, f.logPop);
    const sampler = negativeSampler(f.counts, DRAWN.length);
    const options = (algorithm: MetaAlgorithm, sampled: boolean): TaskOptions => ({
      neighbours: buildNeighbours(f.train, f.items, 6, 10),
      transitions: buildTransitions(f.train, f.items, 4, 5),
      recency: { decay: 0.7, learn: true },
      nextClickShare: 0.5,
      ...(sampled ? { sampling: { sampler, rng: createRng('unused'), drawn: DRAWN }, itemSide: f, whole: algorithm === 'reptile' } : {}),
    });
    const configOf = (algorithm: MetaAlgorithm): MetaConfig => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: true, recency: true, transitions: true });
    const model = await modelJson(f.shape, params, f.features, f.warm, f.logPop);
    const report: string[] = [];
    for (const algorithm of META_ALGORITHMS) {
      // The same tasks twice: over the catalog (what PyTorch restricts) and over the candidates (what TypeScript runs).
      const full = sampleTasks(f.train, f.items, 6, createRng('torch-sampled'), options(algorithm, false));
      const sampled = sampleTasks(f.train, f.items, 6, createRng('torch-sampled'), options(algorithm, true));
      const batch = { support: await feedbackJson(full.support), query: await feedbackJson(full.query) };
      const theirs = await askTorch<TorchGrads & { candidates: number[]; logR: number[] }>({ kind: 'sampled', ...model, batch, counts: Array.from(f.counts), drawn: Array.from(DRAWN), negatives: DRAWN.length, config: configOf(algorithm) });
      const ids = Array.from(await sampled.candidates!.ids.data());
      expect(theirs.candidates).toEqual(ids);
      expect(ids.length).toBeLessThan(f.items);
      const logR = await sampled.candidates!.logInclusion.data();
      expect(relativeDifference(logR, theirs.logR)).toBeLessThan(1e-6);
      expect(Array.from(logR).filter((v) => v !== 0).length).toBeGreaterThan(0);
      const vars = {} as MetaParams;
      for (const n of PARAM_NAMES) vars[n] = tf.variable(params[n], true, `torch-sampled-${algorithm}-${Math.random()}/${n}`);
      const { worst } = await compare(vars, inputs, sampled, configOf(algorithm), theirs);
      report.push(`${algorithm} ${worst.diff.toExponential(2)} (${worst.name})`);
      expect(worst.diff, `${algorithm}: ${worst.name}`).toBeLessThan(TOLERANCE);
      for (const n of PARAM_NAMES) vars[n].dispose();
      disposeTasks(full);
      disposeTasks(sampled);
    }
    console.log(`[torch-sampled] ${DRAWN.length} draws, largest relative difference: ${report.join('; ')}`);
    disposeInputs(inputs);
    tf.dispose(Object.values(params));
  });
});
