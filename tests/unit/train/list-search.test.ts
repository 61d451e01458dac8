// The item-list search under a time budget: it keeps what it tried and says where it stopped.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/math/rng';
import { chooseItemLists, NEIGHBOUR_SHRINKS, TRANSITION_WEIGHTS } from '../../../src/train/list-search';

const ITEMS = 30;
const rng = createRng('list-search');
const users = Array.from({ length: 60 }, () => {
  let item = rng.int(ITEMS);
  return Int32Array.from({ length: 8 }, () => (item = rng.next() < 0.7 ? (item + 1) % ITEMS : rng.int(ITEMS)));
});
const train = users.slice(0, 50);
const validation = users.slice(50).map((items, u) => ({ user: `v${u}`, items }));
const config = { neighbours: 5, transitions: 4, transitionShrink: 1, objective: 'v2', validationKs: [1, 3] } as const;

describe('chooseItemLists', () => {
  it('tries every shrinkage and transition weight without a budget', () => {
    const choice = chooseItemLists(train, ITEMS, validation, config);
    expect(choice.trials).toHaveLength(NEIGHBOUR_SHRINKS.length + TRANSITION_WEIGHTS.length);
    expect(choice.stoppedAfter).toBeUndefined();
    // Users here mostly click i then i + 1: the transition lists earn their place.
    expect(choice.transitions).toBeDefined();
  });

  it('past its deadline runs one trial, keeps its lists, leaves transitions out and says so', () => {
    const choice = chooseItemLists(train, ITEMS, validation, config, undefined, performance.now() - 1);
    expect(choice.trials).toHaveLength(1);
    expect(choice.stoppedAfter).toBe(1);
    expect(choice.neighbours).toBeDefined();
    expect(choice.transitions).toBeUndefined();
  });
});
