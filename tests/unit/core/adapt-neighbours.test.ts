import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank, scoreAll } from '../../../src/core/kernels';
import { deserializeState, disposeState, serializeState } from '../../../src/core/state';
import { computeItemTable } from '../../../src/core/model';
import { neighbourRow } from '../../../src/core/neighbours';
import { TINY_NEIGHBOURS as neighbours, tinyModel } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(withNeighbours = true) {
  const { params, inputs } = tinyModel(3);
  const items = computeItemTable(params, inputs);
  return withNeighbours ? { params, items, neighbours, decay: 1 } : { params, items, decay: 1 };
}

/** u·v_i + p·b_i + w·row_i computed by hand from the state's numbers. */
async function expectedScores(m: ReturnType<typeof model>, user: number[], pop: number, knn: number, clicks: Int32Array) {
  const v = (await m.items.vectors.array()) as number[][];
  const b = (await m.items.bias.array()) as number[];
  const row = neighbourRow(neighbours, clicks, new Float32Array(7));
  return v.map((vi, i) => vi.reduce((s, x, d) => s + x * user[d]!, 0) + pop * b[i]! + knn * row[i]!);
}

describe('adapt with item-item neighbours', () => {
  it('scores with the adapted item-item weight times the clicks\' neighbour row', async () => {
    const m = model();
    const clicks = Int32Array.of(0, 3);
    const before = tf.memory().numTensors;
    const start = initialState(m, clicks);
    // step 0: knnInit × k/(k + κ)
    const kappa = Math.exp((await m.params.logShrink.data())[0]!);
    const knnInit = Math.exp((await m.params.logKnnInit.data())[0]!);
    expect((await start.knn!.data())[0]).toBeCloseTo((knnInit * 2) / (2 + kappa), 5);
    const out = await adapt(m, start, { clicks, negatives: new Int32Array(0) }, { steps: 3 });
    expect(out.steps[3]!.loss).toBeLessThan(out.steps[0]!.loss);
    const saved = await serializeState(out.state);
    expect(saved.knn).not.toBeCloseTo((await start.knn!.data())[0]!, 4); // the weight itself adapted
    const want = await expectedScores(m, saved.user as number[], saved.pop, saved.knn!, clicks);
    const values = await scoreAll(m.items, out.state);
    want.forEach((w, i) => expect(values[i]).toBeCloseTo(w, 4));
    const top = await rank(m.items, out.state, 3, clicks);
    expect(Array.from(top.indices)).toEqual([...want.keys()].filter((i) => !clicks.includes(i)).sort((a, b) => want[b]! - want[a]!).slice(0, 3));
    // a restored state rebuilds the row from the clicks and scores the same
    const restored = deserializeState(saved, 4, m, clicks);
    const again = await scoreAll(m.items, restored);
    Array.from(again).forEach((v, i) => expect(v).toBeCloseTo(values[i]!, 5));
    [start, out.state, restored].forEach(disposeState);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts the clicks\' neighbours ahead by exactly the start weight times their similarity', async () => {
    const clicks = Int32Array.of(2);
    const scores = async (withNeighbours: boolean) => {
      const m = model(withNeighbours);
      const out = await adapt(m, initialState(m, clicks), { clicks, negatives: new Int32Array(0) }, { steps: 0 });
      const values = Array.from(await scoreAll(m.items, out.state));
      disposeState(out.state);
      return values;
    };
    const [plain, knn] = [await scores(false), await scores(true)];
    // item 2's one neighbour (0, similarity 0.4) gains on the items that are not its neighbours
    const m = model();
    const kappa = Math.exp((await m.params.logShrink.data())[0]!);
    const w0 = Math.exp((await m.params.logKnnInit.data())[0]!) / (1 + kappa);
    expect(w0).toBeGreaterThan(0.1);
    for (const other of [1, 3, 4, 5, 6]) expect(knn[0]! - knn[other]! - (plain[0]! - plain[other]!)).toBeCloseTo(w0 * 0.4, 4);
  });
});
