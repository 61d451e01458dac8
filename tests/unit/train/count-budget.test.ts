// The full tfjs: training needs the registered gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInputs } from '../../../src/core/features';
import { disposeParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/train/config';
import { trainedInputs } from '../../../src/train/item-side';
import { COUNT_STAGE, truncateNeighbours } from '../../../src/train/neighbour-count';
import { trainPretrain } from '../../../src/train/pretrain';
import { trainMeta } from '../../../src/train/trainer';
import type { TrainedModel } from '../../../src/train/types';
import { validate } from '../../../src/train/validate';

// The neighbour-count choice is a stage of the run, inside --max-minutes: it
// reuses the score the run has for the lists as built, and under a spent
// budget it validates nothing more and records what it left untried.
const ITEMS = 40;
const rng = createRng('count-budget');
const group = (u: number, n: number) => Int32Array.from(new Set(Array.from({ length: n }, () => (u % 2 ? 0 : 20) + rng.int(20))));
const train = Array.from({ length: 80 }, (_, u) => group(u, 8));
const validation = Array.from({ length: 24 }, (_, u) => ({ user: `v${u}`, items: group(u, 12) }));
const data = { tags: Array.from({ length: ITEMS }, () => undefined), train, validation };
const config = { ...DEFAULT_TRAIN_CONFIG, dim: 6, iterations: 6, validateEvery: 3, pretrainIterations: 4, batchSize: 8, neighbours: 12, transfer: 'pooled' as const };
const COUNTS = [4, 8];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function revalidated(m: TrainedModel, count: number): Promise<number> {
  const inputs = trainedInputs(m);
  try {
    return (await validate(m.params, inputs, validation, m.config, m.config.innerSteps, { neighbours: truncateNeighbours(m.neighbours!, count), transitions: m.transitions })).mean;
  } finally {
    disposeInputs(inputs);
  }
}

describe('the neighbour-count choice in a training run', () => {
  it('without a budget weighs every count, reusing the kept checkpoint’s score for the lists as built', async () => {
    const m = await trainMeta(data, config, undefined, undefined, { neighbourCounts: COUNTS });
    try {
      const choice = m.neighbourCount!;
      expect(m.neighbours!.m).toBe(12);
      expect(choice.trials.map((t) => t.count)).toEqual([4, 8, 12]);
      expect(choice.skipped).toBeUndefined();
      expect(choice.trials[2]!.validation).toBe(m.validation.mean);
      // The reused score is what validating the lists as built gives, and so are the others.
      for (const t of choice.trials) expect(await revalidated(m, t.count)).toBeCloseTo(t.validation, 6);
      expect(m.run!.stoppedEarly).toEqual([]);
    } finally {
      disposeParams(m.params);
    }
  });

  it('under a spent budget validates no count and records the counts it skipped', async () => {
    // The budget started a minute before a 0.01-minute run: everything is past its deadline.
    const options = { neighbourCounts: COUNTS, startedAt: performance.now() - 60_000 };
    for (const train of [trainMeta, trainPretrain]) {
      const m = await train(data, { ...config, algorithm: train === trainMeta ? 'maml' : 'pretrain', maxMinutes: 0.01 }, undefined, undefined, options);
      try {
        const choice = m.neighbourCount!;
        expect(choice.trials).toEqual([{ count: 12, validation: m.validation.mean }]);
        expect(choice.skipped).toEqual([4, 8]);
        expect(choice.count).toBe(12);
        expect(m.run!.stoppedEarly).toContainEqual({ stage: COUNT_STAGE, iteration: 0 });
      } finally {
        disposeParams(m.params);
      }
    }
  });
});
