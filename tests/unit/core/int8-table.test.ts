import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { hostItems } from '../../../src/core/kernel-host';
import { initialState, rank, scoreAll } from '../../../src/core/kernels';
import type { Int8KernelKind } from '../../../src/core/int8-kernel';
import { quantizedAdaptModel, USER_PARAM_NAMES, type Int8Model, type UserParams } from '../../../src/core/int8-model';
import { dequantizeAll, quantizeRows } from '../../../src/core/int8-rows';
import { encodeItemLists, listRow, type ItemLists } from '../../../src/core/item-lists';
import { initParams } from '../../../src/core/params';
import { decayOf } from '../../../src/core/recency';
import { disposeState } from '../../../src/core/state';
import type { AdaptModel, Feedback, Neighbours } from '../../../src/core/types';
import { createRng } from '../../../src/math/rng';

// The int8 table (format v2) is a variant of the host kernel's table: the one
// driver (core/adapt) and the host kernel run it unchanged, with recency
// weights, the item-item and the sequential terms. Against the float table
// that is exactly its dequantized form, every step must agree.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 2_000;
const DIM = 16;
const M = 8;

function randomLists(rng: ReturnType<typeof createRng>, m: number, scale: number): ItemLists {
  return encodeItemLists(N, N, () => {
    const ids = new Set<number>();
    while (ids.size < m) ids.add(rng.int(N));
    return { ids: [...ids], weights: [...ids].map(() => rng.next() * scale) };
  });
}

/** Padded arrays of encoded lists: what the float model of the same numbers holds. */
function padded(lists: ItemLists, m: number): Neighbours {
  const ids = new Int32Array(N * m).fill(-1);
  const sims = new Float32Array(N * m);
  for (let r = 0; r < N; r++) {
    const row = listRow(lists, r);
    row.ids.forEach((id, e) => ((ids[r * m + e] = id), (sims[r * m + e] = row.weights[e]!)));
  }
  return { m, ids, sims };
}

/** A random int8 model (recency decay 0.7, neighbours and transitions), and the float model that is exactly its dequantized form. */
function models(): { int8: Int8Model; float: AdaptModel } {
  const rng = createRng('int8-table');
  const vectors = quantizeRows(Float32Array.from({ length: N * DIM }, () => rng.normal() * 0.4), N, DIM);
  const context = quantizeRows(Float32Array.from({ length: N * DIM }, () => rng.normal() * 0.4), N, DIM);
  const bias = Float32Array.from({ length: N }, () => rng.normal());
  const neighbours = randomLists(rng, M, 1);
  const transitions = randomLists(rng, 3, 4);
  const params = initParams({ items: N, features: 1, dim: DIM }, { seed: 3, scale: 0.5, innerLr: 0.5, protoScale: 0.8, knnInit: 1.5, decay: 0.7, seqInit: 0.6 });
  const user = {} as Record<string, Float32Array>;
  for (const name of USER_PARAM_NAMES) user[name] = params[name].dataSync() as Float32Array;
  const items = {
    vectors: tf.tensor2d(dequantizeAll(vectors), [N, DIM]),
    bias: tf.tensor1d(bias),
    context: tf.tensor2d(dequantizeAll(context), [N, DIM]),
  };
  const decay = decayOf(user['logitDecay']![0]!);
  return {
    int8: { items: { vectors, context, bias }, user: user as UserParams, neighbours, transitions },
    float: { params, items, neighbours: padded(neighbours, M), transitions: padded(transitions, 3), decay },
  };
}

const FEEDBACK: Record<string, Feedback> = {
  'one click': { clicks: Int32Array.of(4), negatives: new Int32Array(0) },
  'clicks with repeats and impressions': { clicks: Int32Array.of(9, 9, 40, 1777, 3, 8, 12), negatives: Int32Array.of(9, 12, 13, 200) },
  'weighted clicks': { clicks: Int32Array.of(1, 2, 3), negatives: Int32Array.of(5), clickWeights: Float32Array.of(1, 0.5, 2) },
  'no clicks': { clicks: new Int32Array(0), negatives: new Int32Array(0) },
};

describe('int8 item table on the host kernel', () => {
  const { int8, float } = models();

  describe.each(['simd-i16', 'simd-f32', 'loops'] as Int8KernelKind[])('%s sweeps', (kind) => {
    const quantized = quantizedAdaptModel(int8, { kind });

    it.each(Object.keys(FEEDBACK))('%s: same start, losses, scores (within 1e-3) and top 20 as the float table', async (name) => {
      const feedback = FEEDBACK[name]!;
      const options = { steps: 3, negativeWeight: 0.7, kernel: 'host' as const };
      const before = tf.memory().numTensors;
      const [startQ, startF] = [initialState(quantized, feedback.clicks, 'auto', feedback.clickWeights), initialState(float, feedback.clicks, 'host', feedback.clickWeights)];
      const [userQ, userF] = [await startQ.user.data(), await startF.user.data()];
      userF.forEach((v, d) => expect(userQ[d]).toBeCloseTo(v, 5));
      if (startF.seq) expect((await startQ.seq!.data())[0]).toBe((await startF.seq.data())[0]);
      const [outQ, outF] = [await adapt(quantized, startQ, feedback, options), await adapt(float, startF, feedback, options)];
      expect(outQ.steps.length).toBe(outF.steps.length);
      outQ.steps.forEach((s, i) => expect(s.loss).toBeCloseTo(outF.steps[i]!.loss, 3));
      const [scoresQ, scoresF] = [await scoreAll(quantized.items, outQ.state), await scoreAll(float.items, outF.state, 'host')];
      let worst = 0;
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(scoresQ[i]! - scoresF[i]!));
      expect(worst).toBeLessThan(1e-3);
      const [topQ, topF] = [await rank(quantized.items, outQ.state, 20, feedback.clicks), await rank(float.items, outF.state, 20, feedback.clicks, 'host')];
      expect(Array.from(topQ.indices)).toEqual(Array.from(topF.indices));
      [startQ, startF, outQ.state, outF.state].forEach(disposeState);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('keeps the only copy of V in its kernel, and the sequential term moves the ranking towards what follows the last click', async () => {
    const quantized = quantizedAdaptModel(int8);
    const host = hostItems(quantized.items);
    expect(host.kind).toBe('int8');
    expect(quantized.items.vectors).toBe(quantized.items.kernel.rows);
    const clicks = Int32Array.of(10, 11, 12);
    const next = listRow(int8.transitions!, 12).ids;
    const withSeq = await adapt(quantized, initialState(quantized, clicks), { clicks, negatives: new Int32Array(0) }, { steps: 2, negativeWeight: 0.5 });
    const { transitions: _drop, ...noSeq } = quantized;
    const without = await adapt(noSeq, initialState(noSeq, clicks), { clicks, negatives: new Int32Array(0) }, { steps: 2, negativeWeight: 0.5 });
    const [a, b] = [await scoreAll(quantized.items, withSeq.state), await scoreAll(noSeq.items, without.state)];
    for (const i of next) expect(a[i]! - b[i]!).toBeGreaterThan(0);
    [withSeq.state, without.state].forEach(disposeState);
  });

  it('refuses the tfjs kernel with what to do', () => {
    const quantized = quantizedAdaptModel(int8);
    expect(() => initialState(quantized, Int32Array.of(1), 'tfjs')).toThrow(/int8 item table \(model format v2\).*use kernel "auto" with backend wasm or cpu/);
    quantized.dispose();
  });
});
