import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank, scoreAll } from '../../../src/core/kernels';
import { deserializeState, disposeState, serializeState } from '../../../src/core/state';
import { computeItemTable } from '../../../src/core/model';
import { toArrays } from '../../../src/core/params';
import { tinyModel } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model() {
  const { params, inputs } = tinyModel(3);
  return { params, items: computeItemTable(params, inputs), decay: 1 };
}

describe('adapt', () => {
  it('returns new parameters and per-step metrics, and never mutates the initialization', async () => {
    const m = model();
    const before = await toArrays(m.params);
    const start = initialState(m, new Int32Array([0, 1]));
    const startUser = await start.user.data();
    const seen: number[] = [];
    const result = await adapt(m, start, { clicks: new Int32Array([0, 1]), negatives: new Int32Array([4]) }, {
      steps: 4,
      onStep: (s) => seen.push(s.step),
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(result.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(result.steps.every((s) => s.ms >= 0 && Number.isFinite(s.loss))).toBe(true);
    // the support loss goes down over the steps
    expect(result.steps[4]!.loss).toBeLessThan(result.steps[0]!.loss);
    expect(result.state.user).not.toBe(start.user);
    expect(Array.from(await start.user.data())).toEqual(Array.from(startUser));
    const after = await toArrays(m.params);
    for (const name of Object.keys(before) as (keyof typeof before)[]) expect(Array.from(after[name])).toEqual(Array.from(before[name]));
    disposeState(start);
    disposeState(result.state);
  });

  it('moves clicked items up the ranking', async () => {
    const m = model();
    const start = initialState(m, new Int32Array(0));
    const clicks = new Int32Array([6, 6, 5]);
    const result = await adapt(m, start, { clicks, negatives: new Int32Array(0) }, { steps: 20 });
    const before = await rank(m.items, start, 7);
    const after = await rank(m.items, result.state, 7);
    const pos = (r: { indices: Int32Array }, i: number) => Array.from(r.indices).indexOf(i);
    // item 6 (cold: content only) starts low and rises
    expect(pos(before, 6)).toBeGreaterThan(0);
    expect(pos(after, 6)).toBeLessThan(pos(before, 6));
    disposeState(start);
    disposeState(result.state);
  });

  it('pushes shown-but-not-clicked items below the clicked one (slate term)', async () => {
    const m = model();
    const clicks = new Int32Array([1]);
    const start = initialState(m, clicks);
    const gap = async (negatives: Int32Array): Promise<number> => {
      const r = await adapt(m, start, { clicks, negatives }, { steps: 3, negativeWeight: 1 });
      const scores = await scoreAll(m.items, r.state);
      disposeState(r.state);
      return scores[2]! - scores[1]!;
    };
    const without = await gap(new Int32Array(0));
    const withImpression = await gap(new Int32Array([2, 4]));
    expect(withImpression).toBeLessThan(without - 0.05);
    disposeState(start);
  });

  it('rolls back to the last good parameters when a step overflows', async () => {
    const m = model();
    // an absurd learning rate makes the first step's scores overflow to Infinity
    const params = { ...m.params, logLrUser: tf.fill([4], 200) as tf.Tensor1D, logLrPop: tf.fill([1], 200) as tf.Tensor1D };
    const bad = { params, items: m.items, decay: 1 };
    const start = initialState(bad, new Int32Array([1]));
    const result = await adapt(bad, start, { clicks: new Int32Array([1]), negatives: new Int32Array(0) }, { steps: 3 });
    expect(result.rolledBack).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual([0]);
    expect(Array.from(await result.state.user.data())).toEqual(Array.from(await start.user.data()));
    disposeState(start);
    disposeState(result.state);
  });

  it.each(['tfjs', 'host'] as const)('rolls back an exploding but finite step too (%s kernel)', async (kernel) => {
    const m = model();
    // e^46 ≈ 1e20: the step stays finite, but three clicks cannot all win by
    // 1e20, so the support loss jumps from ~2 to ~1e19
    const params = { ...m.params, logLrUser: tf.fill([4], 46) as tf.Tensor1D, logLrPop: tf.fill([1], 46) as tf.Tensor1D };
    const bad = { params, items: m.items, decay: 1 };
    const clicks = new Int32Array([0, 1, 3]);
    const start = initialState(bad, clicks, kernel);
    const result = await adapt(bad, start, { clicks, negatives: new Int32Array(0) }, { steps: 3, kernel });
    expect(result.rolledBack).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual([0]);
    expect(Number.isFinite(result.steps[0]!.loss)).toBe(true);
    expect(Array.from(await result.state.user.data())).toEqual(Array.from(await start.user.data()));
    tf.dispose([params.logLrUser, params.logLrPop]);
    disposeState(start);
    disposeState(result.state);
  });

  it('stops when the signal is aborted, between steps', async () => {
    const m = model();
    const start = initialState(m, new Int32Array([2]));
    const signal = { aborted: false };
    const result = await adapt(m, start, { clicks: new Int32Array([2]), negatives: new Int32Array(0) }, {
      steps: 10,
      signal,
      onStep: (s) => {
        if (s.step === 2) signal.aborted = true;
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.steps.length).toBe(3);
    disposeState(start);
    disposeState(result.state);
  });

  it('yields between steps, so a message queued before the run (a newer click) stops it', async () => {
    const m = model();
    const start = initialState(m, new Int32Array([2]));
    const signal = { aborted: false };
    setTimeout(() => (signal.aborted = true), 0);
    const result = await adapt(m, start, { clicks: new Int32Array([2]), negatives: new Int32Array(0) }, { steps: 50, signal });
    expect(result.aborted).toBe(true);
    expect(result.steps.length).toBeLessThan(51);
    disposeState(start);
    disposeState(result.state);
  });

  it('leaks no tensors over repeated adaptations and rankings', async () => {
    const m = model();
    const start = initialState(m, new Int32Array([1]));
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const r = await adapt(m, start, { clicks: new Int32Array([1, i % 7]), negatives: new Int32Array([3]) }, { steps: 3 });
      await rank(m.items, r.state, 5, new Int32Array([1]));
      disposeState(r.state);
    }
    expect(tf.memory().numTensors).toBe(baseline);
    disposeState(start);
  });

  it('ranks with exclusions and round-trips the state through plain numbers', async () => {
    const m = model();
    const s = initialState(m, new Int32Array([0]));
    const top = await rank(m.items, s, 10, new Int32Array([0, 3]));
    expect(top.indices.length).toBe(5);
    expect(Array.from(top.indices)).not.toContain(0);
    expect(Array.from(top.indices)).not.toContain(3);
    for (let i = 1; i < top.scores.length; i++) expect(top.scores[i]!).toBeLessThanOrEqual(top.scores[i - 1]!);
    const json = await serializeState(s);
    const back = deserializeState(json, 4);
    expect(Array.from(await back.user.data())).toEqual(json.user.map(Math.fround));
    expect(() => deserializeState({ user: [1, 2], pop: 1 }, 4)).toThrow(/2 values, expected 4/);
    disposeState(s);
    disposeState(back);
  });
});
