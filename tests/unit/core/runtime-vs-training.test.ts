// The worker's click path (the adaptation driver on either kernel) and the trainer's batched
// validation path must score a visitor the same: same recency weights, rows and steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { contentFeatures, itemInputs } from '../../../src/core/features';
import { initialState, scoreAll } from '../../../src/core/kernels';
import { computeItemTable } from '../../../src/core/model';
import { initParams } from '../../../src/core/params';
import { decayOf } from '../../../src/core/recency';
import { disposeState } from '../../../src/core/state';
import { createRng } from '../../../src/math/rng';
import { labelledLists } from '../../support/random-lists';
import { adaptedScores } from '../../../src/train/episodes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runtime and training agree', () => {
  it('on scores after the runtime steps, with a recency decay, neighbours and transitions', async () => {
    const items = 120;
    const names = ['(all items)', 'x', 'y'];
    const rng = createRng('agree');
    const tags = Array.from({ length: items }, () => [names[1 + rng.int(2)]!]);
    const params = initParams({ items, features: 3, dim: 8 }, { seed: 3, scale: 0.4, innerLr: 0.5, protoScale: 0.7, decay: 0.6, seqInit: 2 });
    const inputs = itemInputs(contentFeatures(tags, names), new Float32Array(items).fill(1), Float32Array.from({ length: items }, () => rng.next() * 2));
    const table = computeItemTable(params, inputs);
    const model = { params, items: table, neighbours: labelledLists(items, 6, 'n'), transitions: labelledLists(items, 4, 't'), decay: decayOf(params.logitDecay.dataSync()[0]!) };
    const histories = [Int32Array.of(5), Int32Array.of(5, 17, 3), Int32Array.of(9, 9, 40, 77, 1, 2, 3, 4)];
    const [trained] = await adaptedScores(params, inputs, histories, 2, 'last', { neighbours: model.neighbours, transitions: model.transitions });
    for (const kernel of ['tfjs', 'host'] as const) {
      for (const [h, clicks] of histories.entries()) {
        const start = initialState(model, clicks, kernel);
        const out = await adapt(model, start, { clicks, negatives: new Int32Array(0) }, { steps: 2, kernel });
        const live = await scoreAll(table, out.state, kernel);
        const expected = trained![h]!;
        let worst = 0;
        for (let i = 0; i < items; i++) worst = Math.max(worst, Math.abs(live[i]! - expected[i]!));
        expect(worst, `${kernel}, history ${h}`).toBeLessThan(1e-4);
        disposeState(start);
        disposeState(out.state);
      }
    }
  });
});
