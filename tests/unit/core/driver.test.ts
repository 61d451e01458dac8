import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { disposeState } from '../../../src/core/state';
import type { AdaptKernel, AdaptModel } from '../../../src/core/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A kernel whose states are step numbers and whose losses are scripted: what
 * the one driver does with any kernel (abort, rollback, the last good state,
 * freeing what it drops), without the model's math.
 */
function scripted(losses: number[], failAt = -1) {
  const log: string[] = [];
  const kernel: AdaptKernel = {
    name: 'scripted',
    initialState: () => ({ user: tf.zeros([1, 1]), pop: tf.zeros([1, 1]) }),
    run: () => ({
      first: async () => 0,
      loss: async (s) => losses[s as number]!,
      step: async (s, last) => {
        const next = (s as number) + 1;
        if (next === failAt) throw new Error(`step ${next} failed`);
        log.push(`step ${next}${last ? ' (last)' : ''}`);
        return next;
      },
      keep: (s) => {
        log.push(`keep ${String(s)}`);
        return { user: tf.tensor2d([[s as number]]), pop: tf.zeros([1, 1]) };
      },
      drop: (s) => log.push(`drop ${String(s)}`),
      dispose: () => log.push('dispose'),
    }),
    scores: async () => new Float32Array(0),
    rank: async () => ({ indices: new Int32Array(0), scores: new Float32Array(0) }),
  };
  return { kernel, log };
}

const model = { params: {}, items: {} } as AdaptModel;
const feedback = { clicks: Int32Array.of(1), negatives: new Int32Array(0) };
const start = { user: tf.zeros([1, 1]) as tf.Tensor2D, pop: tf.zeros([1, 1]) as tf.Tensor2D };

async function run(losses: number[], steps: number, options: { failAt?: number; abortAfter?: number } = {}) {
  const { kernel, log } = scripted(losses, options.failAt);
  const signal = { aborted: false };
  const result = await adapt(model, start, feedback, {
    steps,
    kernel,
    signal,
    onStep: (m) => {
      if (m.step === options.abortAfter) signal.aborted = true;
    },
  });
  const kept = (await result.state.user.data())[0];
  disposeState(result.state);
  return { ...result, kept, log, losses: result.steps.map((s) => s.loss) };
}

describe('the adaptation driver, with any kernel', () => {
  it('steps to the end, keeps the last state, frees every state it moved past and the run', async () => {
    const r = await run([5, 4, 3, 2], 3);
    expect(r.losses).toEqual([5, 4, 3, 2]);
    expect(r.kept).toBe(3);
    expect(r.log).toEqual(['step 1', 'drop 0', 'step 2', 'drop 1', 'step 3 (last)', 'drop 2', 'keep 3', 'dispose']);
    expect({ aborted: r.aborted, rolledBack: r.rolledBack }).toEqual({ aborted: false, rolledBack: false });
  });

  it('rolls back a step whose loss is not finite, keeping the last good state', async () => {
    const r = await run([5, 4, NaN, 1], 3);
    expect(r.losses).toEqual([5, 4]);
    expect(r.kept).toBe(1);
    expect(r.rolledBack).toBe(true);
    expect(r.log).toEqual(['step 1', 'drop 0', 'step 2', 'drop 2', 'keep 1', 'dispose']);
  });

  it('rolls back a step whose loss exploded past 10× the start', async () => {
    expect((await run([1, 10.5], 1)).rolledBack).toBe(true);
    expect((await run([1, 9.5], 1)).rolledBack).toBe(false);
    expect((await run([3, 29], 1)).rolledBack).toBe(false);
  });

  it('stops between steps when the signal is aborted', async () => {
    const r = await run([5, 4, 3, 2], 3, { abortAfter: 1 });
    expect(r.aborted).toBe(true);
    expect(r.losses).toEqual([5, 4]);
    expect(r.kept).toBe(1);
    expect(r.log).toEqual(['step 1', 'drop 0', 'keep 1', 'dispose']);
  });

  it('frees the last good state and the run when a step throws', async () => {
    const { kernel, log } = scripted([5, 4, 3], 2);
    await expect(adapt(model, start, feedback, { steps: 2, kernel })).rejects.toThrow('step 2 failed');
    expect(log).toEqual(['step 1', 'drop 0', 'drop 1', 'dispose']);
  });
});
