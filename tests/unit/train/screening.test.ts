// The ALS head grid screened on part of the validation users (train/screening): the full
// validation still decides among the heads the screen keeps, and small validation sets are not screened.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSTANT_FEATURE, contentFeatures, disposeInputs, itemInputs, logPopularity } from '../../../src/core/features';
import { disposeParams, initParams, toArrays, type MetaParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { selectAlsStart } from '../../../src/train/als-start';
import { SCREEN_KEEP, SCREEN_MIN_USERS, screenCandidates, screeningUsers } from '../../../src/train/screening';

const ITEMS = 30;
const DIM = 4;
const rng = createRng('screening');
const train = Array.from({ length: 60 }, (_, u) => Int32Array.from(new Set(Array.from({ length: 6 }, () => (u % 2 ? 0 : 15) + rng.int(15)))));
const counts = new Float32Array(ITEMS);
for (const row of train) for (const i of row) counts[i]! += 1;
const shape = { items: ITEMS, features: 1, dim: DIM };
const cfg = { dim: DIM, alpha: 10, lambdas: [1, 10], temperature: 10, seed: 3 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('screening users', () => {
  it('keeps a seeded third in protocol order, and none below SCREEN_MIN_USERS', () => {
    const users = Array.from({ length: 3 * SCREEN_MIN_USERS + 2 }, (_, i) => i);
    const third = screeningUsers(users, 1)!;
    expect(third).toHaveLength(SCREEN_MIN_USERS);
    expect([...third].sort((a, b) => a - b)).toEqual(third);
    expect(new Set(third).size).toBe(third.length);
    expect(screeningUsers(users, 1)).toEqual(third);
    expect(screeningUsers(users, 2)).not.toEqual(third);
    expect(screeningUsers(users.slice(0, 3 * SCREEN_MIN_USERS - 1), 1)).toBeUndefined();
  });

  it('keeps the best SCREEN_KEEP candidates in their given order, the earlier on a tie, and stops where the screen says so', async () => {
    const scores = [0.1, 0.5, 0.3, 0.5, 0.2, 0.3];
    const { kept, scores: all } = await screenCandidates([0, 1, 2, 3, 4, 5], async (c) => scores[c]);
    expect(SCREEN_KEEP).toBe(3);
    expect(kept).toEqual([1, 2, 3]);
    expect(all).toHaveLength(6);
    const cut = await screenCandidates([0, 1, 2, 3, 4, 5], async (c) => (c < 2 ? scores[c] : undefined));
    expect(cut.kept).toEqual([0, 1]);
    expect(cut.scores).toHaveLength(2);
  });
});

describe('the ALS head search with a screen', () => {
  const content = { features: contentFeatures(Array.from({ length: ITEMS }, () => undefined), [CONSTANT_FEATURE]), warm: counts.map((c) => (c > 0 ? 1 : 0)) };
  const neighbours = { m: 0, ids: new Int32Array(0), sims: new Float32Array(0) };
  // A made-up objective of the head alone, so the test knows the answer: best at knn 4, pop 0.1.
  const headOf = async (p: MetaParams): Promise<{ knn: number; pop: number }> => ({
    knn: Math.round(Math.exp((await p.logKnnInit.data())[0]!) * 100) / 100,
    pop: Math.round((await p.popWeight.data())[0]! * 100) / 100,
  });
  const objective = (h: { knn: number; pop: number }): number => 1 - Math.abs(Math.log2(h.knn) - 2) / 10 - Math.abs(h.pop - 0.1);

  async function search(screenOffset: (h: { knn: number; pop: number }) => number) {
    const base = initParams(shape, { seed: 1 });
    const arrays = await toArrays(base);
    disposeParams(base);
    const inputs = itemInputs(content.features, content.warm, logPopularity(counts));
    const full: { knn: number; pop: number }[] = [];
    const screened: { knn: number; pop: number }[] = [];
    const start = await selectAlsStart(
      {
        train,
        base: arrays,
        shape,
        inputs,
        content,
        steps: 0,
        neighbours,
        validate: async (p) => {
          const h = await headOf(p);
          full.push(h);
          return { mean: objective(h), byK: {} };
        },
        screen: {
          users: 50,
          validate: async (p) => {
            const h = await headOf(p);
            screened.push(h);
            return { mean: objective(h) + screenOffset(h) };
          },
        },
      },
      cfg,
    );
    disposeInputs(inputs);
    return { start, full, screened };
  }

  it('validates on all users only the heads the screen ranks best, and keeps the best of those', async () => {
    // The screen is noisy: the true best (knn 4, pop 0.1) ranks third there, behind two others.
    const { start, full, screened } = await search((h) => (h.knn === 8 && h.pop === 0.1 ? 0.3 : h.knn === 1 && h.pop === 0.1 ? 0.2 : 0));
    expect(screened).toHaveLength(17);
    // Two λs, one beyond the edge, then the three heads the screen kept.
    expect(full).toHaveLength(3 + SCREEN_KEEP);
    expect(start.head).toMatchObject({ knn: 4, pop: 0.1 });
    expect(start.mean).toBe(objective({ knn: 4, pop: 0.1 }));
    expect(start.screened!.users).toBe(50);
    expect(start.screened!.trials).toHaveLength(17);
    expect(start.trials).toHaveLength(3 + SCREEN_KEEP);
  });

  it('misses a head the screen ranks fourth: the screen, not the full validation, chose the finalists', async () => {
    const { start } = await search((h) => (h.knn === 4 && h.pop === 0.1 ? 0 : h.pop === 0.1 && h.knn !== 4 ? 0.3 : 0));
    expect(start.head).not.toMatchObject({ knn: 4, pop: 0.1 });
  });
});
