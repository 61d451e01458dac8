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

describe('the time budget', () => {
  it('stops after the batch that crosses the deadline, validating there, and keeps the best checkpoint', async () => {
    let clock = 0;
    const validated: number[] = [];
    const ran: number[] = [];
    const result = await trainLoop({
      iterations: 100,
      validateEvery: 4,
      batchSize: 1,
      now: () => clock,
      deadline: 6.5,
      async batch(it) {
        ran.push(it);
        clock += 1;
        return 0;
      },
      async checkpoint(it) {
        validated.push(it);
        return { score: it === 4 ? 0.9 : 0.1, keep: async () => it };
      },
    });
    // batch 7 ends at 7 ms, past the 6.5 ms deadline: it runs, is validated, and nothing after it.
    expect(ran).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(validated).toEqual([4, 7]);
    expect(result.stoppedAt).toBe(7);
    expect(result.best).toEqual({ score: 0.9, value: 4 });
  });

  it('leaves the time the run still needs after it: stops once the reserve would overrun the deadline', async () => {
    let clock = 0;
    const validated: number[] = [];
    const result = await trainLoop({
      iterations: 100,
      validateEvery: 50,
      batchSize: 1,
      now: () => clock,
      deadline: 20,
      // e.g. its own last validation and the neighbour-count trials after it: 10 ms
      reserveMs: () => 10,
      async batch() {
        clock += 1;
        return 0;
      },
      async checkpoint(it) {
        validated.push(it);
        clock += 5;
        return { score: 0.5, keep: async () => it };
      },
    });
    // batch 10 ends at 10 ms, when 10 ms of reserve reach the 20 ms deadline: validated there, and the loop ends by 20 ms.
    expect(result.stoppedAt).toBe(10);
    expect(validated).toEqual([10]);
    expect(clock).toBeLessThanOrEqual(20);
  });

  it('runs to the end without a budget, and reports every batch of its stage', async () => {
    const events: string[] = [];
    const result = await trainLoop({
      iterations: 3,
      validateEvery: 10,
      batchSize: 1,
      stage: 'meta-training',
      reporter: { stage: (name, total, unit) => events.push(`${name} ${total} ${unit}`), advance: (done) => events.push(String(done)), note: () => {} },
      async batch() {
        return 1;
      },
    });
    expect(result.stoppedAt).toBeUndefined();
    expect(events).toEqual(['meta-training 3 batches', '1', '2', '3']);
  });
});
