import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank, scoreAll } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import type { ClickKernel, Feedback } from '../../../src/core/types';
import { contentFeatures, itemInputs } from '../../../src/core/features';
import { sweep, type HostItems } from '../../../src/core/host-kernel';
import { rankIn } from '../../../src/core/kernel-host';
import { exclusionMask, rankOf } from '../../../src/protocol/metrics';
import { computeItemTable } from '../../../src/core/model';
import { initParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { decayOf } from '../../../src/core/recency';
import { simdTable } from '../../../src/core/simd-kernel';
import { topK } from '../../../src/math/top-k';
import { randomLists } from '../../support/random-lists';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A random model: `dim` 8 runs the SIMD kernel, 6 the plain loops (not a
 * multiple of 4); optionally with neighbours, and with `order` a recency
 * decay of 0.7 and transition lists (the sequential term).
 */
function model(dim: number, items = 300, withNeighbours = false, order = false) {
  const rng = createRng(`host-kernel-${dim}`);
  const names = ['(all items)', 'a', 'b', 'c'];
  const tags = Array.from({ length: items }, () => [names[1 + rng.int(3)]!]);
  const params = initParams({ items, features: names.length, dim }, { seed: dim, scale: 0.4, innerLr: 0.6, protoScale: 0.5, ...(order ? { decay: 0.7, seqInit: 1.5 } : {}) });
  const warm = Float32Array.from({ length: items }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const inputs = itemInputs(contentFeatures(tags, names), warm, Float32Array.from({ length: items }, () => rng.next() * 3));
  const table = computeItemTable(params, inputs);
  const lists = {
    ...(withNeighbours ? { neighbours: randomLists(items, 5, createRng(`neighbours-${items}`)) } : {}),
    ...(order ? { transitions: randomLists(items, 4, createRng(`transitions-${items}`)) } : {}),
  };
  return { params, items: table, ...lists, decay: order ? decayOf(params.logitDecay.dataSync()[0]!) : 1 };
}

const FEEDBACK: Record<string, Feedback> = {
  'one click': { clicks: Int32Array.of(4), negatives: new Int32Array(0) },
  'clicks with repeats and impressions': { clicks: Int32Array.of(9, 9, 40, 77), negatives: Int32Array.of(9, 12, 13, 200) },
  'weighted clicks': { clicks: Int32Array.of(1, 2, 3), negatives: Int32Array.of(5), clickWeights: Float32Array.of(1, 0.5, 2) },
  'impressions only': { clicks: new Int32Array(0), negatives: Int32Array.of(7, 8) },
};

async function run(m: ReturnType<typeof model>, feedback: Feedback, kernel: ClickKernel) {
  const start = initialState(m, feedback.clicks, kernel);
  const out = await adapt(m, start, feedback, { steps: 3, negativeWeight: 0.7, kernel });
  const top = await rank(m.items, out.state, 25, feedback.clicks, kernel);
  const scores = await scoreAll(m.items, out.state, kernel);
  const result = {
    start: Array.from(await start.user.data()),
    user: Array.from(await out.state.user.data()),
    pop: (await out.state.pop.data())[0]!,
    knn: out.state.knn ? (await out.state.knn.data())[0]! : null,
    seq: out.state.seq ? (await out.state.seq.data())[0]! : null,
    losses: out.steps.map((s) => s.loss),
    top: Array.from(top.indices),
    scores: Array.from(scores),
  };
  disposeState(start);
  disposeState(out.state);
  return result;
}

const close = (a: number[], b: number[], tol = 1e-4) => a.forEach((x, i) => expect(Math.abs(x - b[i]!), `at ${i}: ${x} vs ${b[i]}`).toBeLessThan(tol));

describe('host click kernel', () => {
  for (const [dim, withNeighbours, order] of [[8, false, false], [6, false, false], [8, true, false], [6, true, false], [8, true, true], [6, false, true]] as const) {
    for (const [name, feedback] of Object.entries(FEEDBACK)) {
      const what = `${withNeighbours ? ', item-item term' : ''}${order ? ', recency decay and sequential term' : ''}`;
      it(`gives the tfjs results (dim ${dim}, ${dim % 4 === 0 ? 'SIMD' : 'plain loops'}${what}): ${name}`, async () => {
        const m = model(dim, 300, withNeighbours, order);
        const tensors = tf.memory().numTensors;
        const [ours, reference] = [await run(m, feedback, 'host'), await run(m, feedback, 'tfjs')];
        expect(tf.memory().numTensors).toBe(tensors);
        close(ours.start, reference.start);
        close(ours.losses, reference.losses);
        close(ours.user, reference.user);
        close([ours.pop], [reference.pop]);
        expect(ours.knn === null).toBe(!withNeighbours);
        if (withNeighbours) close([ours.knn!], [reference.knn!]);
        expect(ours.seq === null).toBe(!order);
        if (order) close([ours.seq!], [reference.seq!]);
        close(ours.scores, reference.scores);
        expect(ours.top).toEqual(reference.top);
        // The steps moved something (without clicks there is nothing to move towards).
        if (feedback.clicks.length > 0) expect(ours.losses.at(-1)!).not.toBeCloseTo(ours.losses[0]!, 3);
      });
    }
  }

  it("gives the same results when rankings overwrite the kernel's score buffer between the steps and after them", async () => {
    // The sweeps no longer copy the kernel's reused score buffer: a state whose sweep was overtaken is swept again.
    const m = model(8, 300, true, true);
    const feedback = FEEDBACK['clicks with repeats and impressions']!;
    const alone = await run(m, feedback, 'host');
    const other = initialState(m, Int32Array.of(100, 200), 'host');
    const start = initialState(m, feedback.clicks, 'host');
    let overwritten = 0;
    const out = await adapt(m, start, feedback, {
      steps: 3,
      negativeWeight: 0.7,
      kernel: 'host',
      // After each step's loss, before the next step reads the scores of the last: another visitor's ranking.
      onStep: () => void scoreAll(m.items, other, 'host').then(() => overwritten++),
    });
    await scoreAll(m.items, other, 'host');
    const top = await rank(m.items, out.state, 25, feedback.clicks, 'host');
    const scores = await scoreAll(m.items, out.state, 'host');
    expect(overwritten).toBe(4);
    expect(out.steps.map((s) => s.loss)).toEqual(alone.losses);
    expect(Array.from(await out.state.user.data())).toEqual(alone.user);
    expect(Array.from(top.indices)).toEqual(alone.top);
    expect(Array.from(scores)).toEqual(alone.scores);
    [start, other, out.state].forEach(disposeState);
  });

  it("ranks a state again from its kept selection as from its scores, whatever k and exclusions follow", async () => {
    const m = model(8, 300, true);
    const state = initialState(m, Int32Array.of(3, 30), 'host');
    const scores = await scoreAll(m.items, state, 'host');
    // Within the kept selection, beyond it (k + exclusions over 128), the whole catalog, and more than it.
    const asks: [number, number[]][] = [[20, [3, 30]], [100, []], [100, [3, 30]], [5, Array.from({ length: 200 }, (_, i) => i * 1.5 | 0)], [300, [7]], [400, []]];
    for (const [k, exclude] of asks) {
      const got = await rank(m.items, state, k, Int32Array.from(exclude), 'host');
      const want = topK(scores, k, new Set(exclude));
      expect([k, exclude.length, Array.from(got.indices)]).toEqual([k, exclude.length, Array.from(want.indices)]);
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
    }
    disposeState(state);
  });

  it('rolls back an overflowing step as the tfjs kernel does', async () => {
    const m = model(8);
    const params = { ...m.params, logLrUser: tf.fill([8], 200), logLrPop: tf.fill([1], 200) };
    for (const kernel of ['host', 'tfjs'] as const) {
      const bad = { params, items: m.items, decay: 1 };
      const start = initialState(bad, Int32Array.of(1), kernel);
      const out = await adapt(bad, start, { clicks: Int32Array.of(1), negatives: new Int32Array(0) }, { steps: 3, kernel });
      expect([kernel, out.rolledBack, out.steps.map((s) => s.step)]).toEqual([kernel, true, [0]]);
      expect(Array.from(await out.state.user.data())).toEqual(Array.from(await start.user.data()));
      disposeState(start);
      disposeState(out.state);
    }
  });

  it('computes the same sweep in the SIMD kernel as in plain loops', () => {
    const rng = createRng('sweep');
    const [n, dim] = [1_001, 12];
    const vectors = Float32Array.from({ length: n * dim }, () => rng.normal());
    const bias = Float32Array.from({ length: n }, () => rng.normal());
    const user = Float32Array.from({ length: dim }, () => rng.normal());
    const simd = simdTable(n, dim, vectors, bias);
    expect(simd).not.toBeNull();
    const plain: HostItems = { kind: 'float32', n, dim, vectors, bias, simd: null };
    // Scaled up, the scores spread over ~±100: most exponentials underflow, a few dominate.
    for (const scale of [1, 20]) {
      const u = user.map((x) => x * scale);
      const a = sweep(plain, u, 0.7, true);
      const b = sweep({ ...plain, simd }, u, 0.7, true);
      close(Array.from(b.scores), Array.from(a.scores), 1e-4 * scale);
      close(Array.from(b.meanVector!), Array.from(a.meanVector!), 1e-5);
      close([b.logZ, b.meanBias], [a.logZ, a.meanBias], 1e-5 * scale);
    }
  });

  it("counts a click's rank in place as the protocol does: ties to the lower index, NaN last, excluded items skipped", () => {
    const rng = createRng('rank-in');
    const scores = Float32Array.from({ length: 400 }, () => (rng.int(50) === 0 ? NaN : rng.int(30) / 3)); // many ties, a few NaN
    [scores[123], scores[7], scores[300]] = [NaN, -Infinity, -Infinity]; // targets that rank last, and items tied with them
    for (const exclude of [[], [3, 17, 250, 17, 399], [5, 6, 7]]) {
      for (const target of [0, 5, 7, 17, 123, 300, 399]) {
        const others = exclude.filter((i) => i !== target);
        expect(rankIn(scores, target, new Set(exclude))).toBe(rankOf(scores, target, exclusionMask(scores.length, others)));
      }
    }
  });

  it('selects the top k as a full sort does: ties to the lower index, excluded items skipped', () => {
    const rng = createRng('topk');
    const scores = Float32Array.from({ length: 500 }, () => rng.int(40) / 4); // many ties
    const exclude = new Set([3, 17, 250]);
    const sorted = Array.from(scores.keys())
      .filter((i) => !exclude.has(i))
      .sort((a, b) => scores[b]! - scores[a]! || a - b);
    for (const k of [1, 20, 100, 497, 600]) {
      const top = topK(scores, k, exclude);
      expect(Array.from(top.indices)).toEqual(sorted.slice(0, k));
      expect(Array.from(top.scores)).toEqual(sorted.slice(0, k).map((i) => scores[i]!));
    }
  });
});
