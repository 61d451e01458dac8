// The eval scores every test user with one model: the item table is built once
// (scoringTable) instead of per call. That must not change a single float.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentFeatures, disposeInputs, itemInputs } from '../../../src/core/features';
import { disposeParams, initParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { labelledLists } from '../../support/random-lists';
import { adaptedScores, adaptedScoresWith, disposeScoringTable, scoringTable } from '../../../src/train/episodes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a scoring table built once', () => {
  it('gives the same floats as building it per call, for every step, one user per call or all at once, and leaks nothing', async () => {
    const items = 90;
    const names = ['(all items)', 'x', 'y'];
    const rng = createRng('table-once');
    const tags = Array.from({ length: items }, () => [names[1 + rng.int(2)]!]);
    const params = initParams({ items, features: 3, dim: 8 }, { seed: 5, scale: 0.4, innerLr: 0.5, protoScale: 0.7, decay: 0.6, seqInit: 2 });
    const inputs = itemInputs(contentFeatures(tags, names), Float32Array.from({ length: items }, (_, i) => (i % 7 === 0 ? 0 : 1)), Float32Array.from({ length: items }, () => rng.next() * 2));
    const itemLists = { neighbours: labelledLists(items, 6, 'n'), transitions: labelledLists(items, 4, 't') };
    const supports = [Int32Array.of(5), Int32Array.of(5, 17, 3), Int32Array.of(9, 40, 77, 1, 2, 3, 4)];
    const before = tf.memory().numTensors;
    const table = await scoringTable(params, inputs);
    const perCall = await adaptedScores(params, inputs, supports, 2, 'all', itemLists);
    const together = await adaptedScoresWith(table, params, supports, 2, 'all', itemLists);
    expect(together).toEqual(perCall);
    for (const [u, support] of supports.entries()) {
      const [alone] = await adaptedScoresWith(table, params, [support], 2, 'last', itemLists);
      expect(alone![0]).toEqual(perCall[2]![u]);
    }
    disposeScoringTable(table);
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
    disposeInputs(inputs);
  });
});
