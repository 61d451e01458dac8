import { describe, expect, it } from 'vitest';
import { trainLoop } from '../../../src/train/loop';

/** A loop whose batches each take exactly 1 ms of a fake clock and lose `iteration`. */
function fakeRun(iterations: number, validateEvery: number, scores: number[] = []) {
  let clock = 0;
  const kept: number[] = [];
  const run = trainLoop({
    iterations,
    validateEvery,
    batchSize: 10,
    now: () => clock,
    async batch(it) {
      clock += 1;
      return it;
    },
    async checkpoint(it) {
      clock += 1000; // validation time is not training time
      const score = scores.shift();
      return score === undefined ? undefined : { score, keep: async () => (kept.push(it), it) };
    },
  });
  return { run, kept };
}

describe('the validate-every training loop', () => {
  it('counts the tasks each window really ran: a short last window has the same rate', async () => {
    const { run } = fakeRun(5, 2);
    const { history } = await run;
    expect(history.map((h) => h.iteration)).toEqual([2, 4, 5]);
    // 10 tasks per 1 ms batch: 10,000 tasks/s in every window, the 1-batch window too.
    expect(history.map((h) => h.tasksPerSecond)).toEqual([10_000, 10_000, 10_000]);
    // the window's mean batch loss
    expect(history.map((h) => h.loss)).toEqual([1.5, 3.5, 5]);
    expect(history.every((h) => h.validation === undefined)).toBe(true);
  });

  it('keeps the best validated checkpoint, asking to keep only improvements', async () => {
    const { run, kept } = fakeRun(6, 2, [0.3, 0.5, 0.4]);
    const { history, best } = await run;
    expect(history.map((h) => h.validation)).toEqual([0.3, 0.5, 0.4]);
    expect(best).toEqual({ score: 0.5, value: 4 });
    expect(kept).toEqual([2, 4]);
  });

  it('refuses zero iterations with an error that names them, instead of failing on a missing checkpoint', async () => {
    await expect(fakeRun(0, 2).run).rejects.toThrow('Training needs iterations to be a whole number ≥ 1, got 0.');
    await expect(fakeRun(3, 0).run).rejects.toThrow('validateEvery');
  });
});
