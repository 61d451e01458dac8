// The pretrain + fine-tune baseline searches its fine-tuning head once, on the first checkpoint, and
// scores every later checkpoint with that head: a second search on the best checkpoint chose the same
// head in every recorded fit and cost ~110 CPU s per Last.fm v2 fit.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { disposeParams } from '../../../src/core/params';
import { buildFold, prepareData } from '../../../src/protocol/data';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../../src/train/config';
import { trainingDataFromFold } from '../../../src/train/dataset-split';
import { trainPretrain } from '../../../src/train/pretrain';
import { walksWorld } from '../eval/walks';

const calls = vi.hoisted(() => ({ validations: 0 }));
vi.mock('../../../src/train/validate', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/train/validate')>();
  return { ...real, validate: (...args: Parameters<typeof real.validate>) => (calls.validations++, real.validate(...args)) };
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("pretrain-finetune's head search", () => {
  it('runs on the first checkpoint only: each later checkpoint costs one validation, the best one too', async () => {
    const data = trainingDataFromFold(buildFold(prepareData(walksWorld(32), 4), 0, 25));
    const base: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, algorithm: 'pretrain', objective: 'v2', dim: 8, validateEvery: 2, batchSize: 8, metaLr: 0.003, validationKs: [1, 5] };
    const validations = async (iterations: number) => {
      calls.validations = 0;
      const model = await trainPretrain(data, { ...base, iterations });
      disposeParams(model.params);
      return { count: calls.validations, model };
    };
    // One checkpoint: the search's own validations.
    const search = (await validations(2)).count;
    expect(search).toBeGreaterThan(5); // 1 start + 4 other rates at least
    // Four checkpoints: the search, then one validation for each of the three after it.
    const { count, model } = await validations(8);
    expect(model.history.map((h) => h.iteration)).toEqual([2, 4, 6, 8]);
    const scores = model.history.map((h) => h.validation!);
    // A later checkpoint wins here (a second search there would have cost more validations).
    expect(scores.indexOf(Math.max(...scores))).toBeGreaterThan(0);
    expect(count).toBe(search + 3);
    // The chosen model is the best checkpoint with the head found on the first.
    expect(model.validation.mean).toBe(Math.max(...scores));
  });
});
