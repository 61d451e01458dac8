import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../../src/data/synthetic';
import { prepareData, userRole } from '../../../src/eval/protocol';
import { episodeNdcg } from '../../../src/train/episodes';
import { trainPretrain } from '../../../src/train/pretrain';
import { DEFAULT_TRAIN_CONFIG, trainedInputs, trainMeta, type TrainingData } from '../../../src/train/trainer';
import { disposeParams } from '../../../src/core/params';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A family of synthetic users whose first clicks reveal their taste: meta-learning
 * should produce an initialization that, after the same k-shot adaptation, ranks
 * held-out users' later clicks better than pooled pretraining + fine-tuning.
 */
describe('meta-learning on a synthetic family of users', () => {
  it('MAML beats pretrain + fine-tune on held-out users after the same steps', async () => {
    const world = generateWorld({ seed: 11, items: 300, users: 600, categories: 6, minClicks: 20, maxClicks: 60 });
    const data = prepareData(world.dataset, 4);
    const heldOut = data.users.filter((u) => userRole(u.user, 0) === 'test');
    const validation = data.users.filter((u) => userRole(u.user, 0) === 'validation');
    const training: TrainingData = {
      tags: data.content.map((c) => c?.tags),
      train: data.users.filter((u) => userRole(u.user, 0) === 'train').map((u) => u.items),
      validation,
    };
    // One step per click: the regime where the initialization matters most.
    const config = { ...DEFAULT_TRAIN_CONFIG, innerSteps: 1, iterations: 150, validateEvery: 50, batchSize: 32, metaLr: 0.03, seed: 2 };
    const maml = await trainMeta(training, { ...config, algorithm: 'maml' });
    const pre = await trainPretrain(training, { ...config, algorithm: 'pretrain' });
    const score = async (m: typeof maml) => {
      const inputs = trainedInputs(m);
      const r = await episodeNdcg(m.params, inputs, heldOut, [1, 3, 5], config.innerSteps);
      tf.dispose([inputs.features, inputs.warm, inputs.logPop]);
      return r.mean;
    };
    const mamlNdcg = await score(maml);
    const preNdcg = await score(pre);
    console.log(`held-out nDCG@10 (mean over k = 1, 3, 5) after ${config.innerSteps} step: maml ${mamlNdcg.toFixed(4)}, pretrain+finetune ${preNdcg.toFixed(4)} (${heldOut.length} users)`);
    expect(heldOut.length).toBeGreaterThan(50);
    expect(mamlNdcg).toBeGreaterThan(preNdcg);
    disposeParams(maml.params);
    disposeParams(pre.params);
  });
});
