// The eval fits `meta` once per protocol on each fold; the pooled pretraining, which depends on
// neither objective, is computed once and shared (RunOptions.shared), as are pretrain-finetune's
// pooled run and the ALS start's factors. Sharing must change nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, toArrays } from '../../../src/core/params';
import { buildFold, prepareData } from '../../../src/protocol/data';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../../src/train/config';
import { trainingDataFromFold } from '../../../src/train/dataset-split';
import { trainMeta } from '../../../src/train/trainer';
import { trainPretrain } from '../../../src/train/pretrain';
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

describe('what else the fits of one fold share', () => {
  const shelf = () => {
    const pieces = new Map<string, unknown>();
    const made: string[] = [];
    const shared = <T>(key: string, make: () => T): T => {
      if (!pieces.has(key)) pieces.set(key, (made.push(key), make()));
      return pieces.get(key) as T;
    };
    return { shared, made };
  };

  it("pretrain-finetune's pooled run: trained once for v1 and v2, each fit equal to the one made alone", async () => {
    const data = trainingDataFromFold(buildFold(prepareData(walksWorld(32), 4), 0, 25));
    const base: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, algorithm: 'pretrain', dim: 8, iterations: 6, validateEvery: 2, batchSize: 8, validationKs: [1, 5] };
    const { shared, made } = shelf();
    for (const objective of ['v1', 'v2'] as const) {
      const config = { ...base, objective };
      const withShared = await trainPretrain(data, config, undefined, undefined, { shared });
      const alone = await trainPretrain(data, config);
      expect(withShared.history).toHaveLength(3);
      expect(withShared.history.map((h) => [h.iteration, h.loss, h.validation])).toEqual(alone.history.map((h) => [h.iteration, h.loss, h.validation]));
      expect(withShared.validation).toEqual(alone.validation);
      expect(withShared.config.innerLr).toBe(alone.config.innerLr);
      expect(await toArrays(withShared.params)).toEqual(await toArrays(alone.params));
      disposeParams(withShared.params);
      disposeParams(alone.params);
    }
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(/^pooled clicks /);
  });

  it("meta's ALS factors: computed once per λ for v1 and v2, each fit equal to the one made alone", async () => {
    const data = trainingDataFromFold(buildFold(prepareData(walksWorld(33), 4), 0, 25));
    const base: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, dim: 8, iterations: 2, validateEvery: 2, pretrainIterations: 2, batchSize: 8, transfer: 'als', alsLambdas: [1, 10], validationKs: [1, 5] };
    const { shared, made } = shelf();
    for (const objective of ['v1', 'v2'] as const) {
      const config = { ...base, objective };
      const withShared = await trainMeta(data, config, undefined, undefined, { shared });
      const alone = await trainMeta(data, config);
      expect(withShared.start).toEqual(alone.start);
      expect(await toArrays(withShared.params)).toEqual(await toArrays(alone.params));
      disposeParams(withShared.params);
      disposeParams(alone.params);
    }
    // λ 1 and 10, and one decade beyond the edge the fits chose.
    const factors = made.filter((k) => k.startsWith('ALS factors '));
    expect(factors.length).toBeGreaterThanOrEqual(3);
    expect(factors.length).toBeLessThanOrEqual(4);
    expect(new Set(factors).size).toBe(factors.length);
  });
});
