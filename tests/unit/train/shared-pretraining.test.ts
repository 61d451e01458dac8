// The eval fits `meta` once per protocol on each fold; the pooled pretraining, which depends on
// neither objective, is computed once and shared (RunOptions.shared). Sharing must change nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, toArrays } from '../../../src/core/params';
import { buildFold, prepareData } from '../../../src/protocol/data';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../../src/train/config';
import { trainingDataFromFold } from '../../../src/train/dataset-split';
import { trainMeta } from '../../../src/train/trainer';
import { walksWorld } from '../eval/walks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pooled pretraining shared by the fits of one fold', () => {
  it('runs once for the v1 and v2 fits, and each fit equals the one made alone', async () => {
    const data = trainingDataFromFold(buildFold(prepareData(walksWorld(31), 4), 0, 25));
    const base: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, dim: 8, iterations: 4, validateEvery: 2, pretrainIterations: 6, batchSize: 8, transfer: 'pooled', validationKs: [1, 5] };
    const pieces = new Map<string, unknown>();
    const made: string[] = [];
    const shared = <T>(key: string, make: () => T): T => {
      if (!pieces.has(key)) pieces.set(key, (made.push(key), make()));
      return pieces.get(key) as T;
    };
    for (const objective of ['v1', 'v2'] as const) {
      const config = { ...base, objective };
      const withShared = await trainMeta(data, config, undefined, undefined, { shared });
      const alone = await trainMeta(data, config);
      expect(withShared.history.map((h) => [h.loss, h.validation])).toEqual(alone.history.map((h) => [h.loss, h.validation]));
      expect(await toArrays(withShared.params)).toEqual(await toArrays(alone.params));
      disposeParams(withShared.params);
      disposeParams(alone.params);
    }
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(/^pooled pretraining /);
    // Other settings make another pretraining.
    const other = await trainMeta(data, { ...base, seed: 2 }, undefined, undefined, { shared });
    disposeParams(other.params);
    expect(made).toHaveLength(2);
  });
});
