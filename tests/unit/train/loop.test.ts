import { describe, expect, it } from 'vitest';
import { checkpointsAfter, falling, trainLoop } from '../../../src/train/loop';

/** A loop whose batches each take exactly 1 ms of a fake clock and lose `iteration`. */
function fakeRun(iterations: number, validateEvery: number, scores: number[] = [], floor?: number) {
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
    ...(floor !== undefined ? { floor } : {}),
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

describe('stopping when validation cannot reach what the run already holds', () => {
  it('stops at a checkpoint below the previous one and below the floor, keeping the best checkpoint', async () => {
    // Last.fm fold 1's meta-training under the ALS start's 0.4204: 0.3869, then 0.372 (falling, below) → stop at 200.
    const { run, kept } = fakeRun(300, 100, [0.3869, 0.372, 0.355], 0.4204);
    const result = await run;
    expect(result.history.map((h) => h.iteration)).toEqual([100, 200]);
    expect(result.fellAt).toBe(200);
    expect(result.stoppedAt).toBeUndefined();
    expect(result.best).toEqual({ score: 0.3869, value: 100 });
    expect(kept).toEqual([100]);
  });

  it('stops a rise too slow to reach the floor by the last checkpoint', async () => {
    // Last.fm v2 fold 0 under the ALS start's 0.1338: 0.1189, 0.1256 (+0.0067; one checkpoint left → 0.1323) → stop at 200.
    const slow = await fakeRun(300, 100, [0.1189, 0.1256, 0.129], 0.1338).run;
    expect(slow.history.map((h) => h.validation)).toEqual([0.1189, 0.1256]);
    expect(slow.fellAt).toBe(200);
    // The same gain with two checkpoints left would reach 0.139: the loop goes on, then stops when it can no longer.
    const longer = await fakeRun(400, 100, [0.1189, 0.1256, 0.128, 0.131], 0.1338).run;
    expect(longer.history.map((h) => h.iteration)).toEqual([100, 200, 300]);
    expect(longer.fellAt).toBe(300);
  });

  it('runs on while validation can still reach the floor, stays above it, or has no floor', async () => {
    // MovieLens 100K v1 fold 0: far below the ALS start (0.4849) at first, then rising to 0.509.
    const rising = await fakeRun(300, 100, [0.4482, 0.4977, 0.509], 0.4849).run;
    expect(rising.history.map((h) => h.validation)).toEqual([0.4482, 0.4977, 0.509]);
    expect(rising.fellAt).toBeUndefined();
    // Still below the floor at the second checkpoint, but its gain would carry it over: 0.44 + 0.04 > 0.47.
    const climbing = await fakeRun(300, 100, [0.4, 0.44, 0.5], 0.47).run;
    expect(climbing.best).toEqual({ score: 0.5, value: 300 });
    expect(climbing.fellAt).toBeUndefined();
    // MovieLens 100K v2 fold 4: a dip above the ALS start's 0.1930, then the best checkpoint.
    const dip = await fakeRun(300, 100, [0.2075, 0.2071, 0.2169], 0.193).run;
    expect(dip.best).toEqual({ score: 0.2169, value: 300 });
    const free = await fakeRun(300, 100, [0.3869, 0.372, 0.355]).run;
    expect(free.history).toHaveLength(3);
    expect(free.fellAt).toBeUndefined();
  });

  it('projects the latest gain over the checkpoints left, and needs a gain to project', () => {
    expect(falling(0.3, 0.4, 0.5, 5)).toBe(true); // falling: no gain to project
    expect(falling(0.3, 0.3, 0.5, 5)).toBe(true); // level: no gain either
    expect(falling(0.5, 0.25, 1, 1)).toBe(true); // 0.5 + 0.25 < 1
    expect(falling(0.5, 0.25, 1, 2)).toBe(false); // 0.5 + 2 · 0.25 reaches 1
    expect(falling(0.3, 0.4, 0.25, 1)).toBe(false); // above the floor
    expect(falling(0.3, undefined, 0.5, 1)).toBe(false); // the first checkpoint: no gain known
    expect(falling(0.3, 0.4, undefined, 1)).toBe(false); // nothing to compete with
  });

  it('counts the checkpoints left: every validateEvery-th batch and the last', () => {
    expect(checkpointsAfter(100, { iterations: 300, validateEvery: 100 })).toBe(2);
    expect(checkpointsAfter(200, { iterations: 300, validateEvery: 100 })).toBe(1);
    expect(checkpointsAfter(4, { iterations: 10, validateEvery: 4 })).toBe(2); // 8 and 10
    expect(checkpointsAfter(8, { iterations: 10, validateEvery: 4 })).toBe(1); // 10
    expect(checkpointsAfter(3, { iterations: 10, validateEvery: 4 })).toBe(3); // a budget stop's checkpoint: 4, 8, 10
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
