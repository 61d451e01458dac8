import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { trainIals, trainIalsWithin } from '../../../src/math/ials';
import { transpose, userItemMatrix } from '../../../src/math/sparse';

const ITEMS = 30;
const rng = createRng('ials-deadline');
const train = Array.from({ length: 50 }, (_, u) => Int32Array.from(new Set(Array.from({ length: 6 }, () => (u % 2 ? 0 : 15) + rng.int(15)))));
const userItems = userItemMatrix(train);
const itemUsers = transpose(userItems, ITEMS);
const cfg = { dim: 4, alpha: 10, lambda: 5 };
const options = { iterations: 10, cgSteps: 3, seed: 2 };

/** A clock that reads one minute later at every reading: its deadline passes at a known iteration, whatever the machine's speed. */
function minutes(deadline: number): { outOfTime: () => boolean; readings: () => number } {
  let minute = 0;
  return { outOfTime: () => minute++ >= deadline, readings: () => minute };
}

describe('trainIalsWithin', () => {
  it('runs every iteration without a deadline, as trainIals does', () => {
    const run = trainIalsWithin(userItems, itemUsers, cfg, options);
    expect(run.iterations).toBe(10);
    expect(Array.from(run.items)).toEqual(Array.from(trainIals(userItems, itemUsers, cfg, options)));
  });

  it('stops after the iteration in which the deadline passes and keeps the factors of the iterations run', () => {
    const clock = minutes(3);
    const run = trainIalsWithin(userItems, itemUsers, cfg, { ...options, outOfTime: clock.outOfTime });
    expect(run.iterations).toBe(4);
    expect(clock.readings()).toBe(4);
    // The factors so far are exactly a 4-iteration run's: a valid ALS solution to start from.
    expect(Array.from(run.items)).toEqual(Array.from(trainIals(userItems, itemUsers, cfg, { ...options, iterations: 4 })));
  });

  it('runs one iteration when the budget is spent before it starts', () => {
    const run = trainIalsWithin(userItems, itemUsers, cfg, { ...options, outOfTime: () => true });
    expect(run.iterations).toBe(1);
    expect(Array.from(run.items)).toEqual(Array.from(trainIals(userItems, itemUsers, cfg, { ...options, iterations: 1 })));
    expect(run.items.some((v) => v !== 0)).toBe(true);
  });
});
