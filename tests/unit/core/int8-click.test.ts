import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { initialState, scoreAll } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import type { AdaptModel, Feedback } from '../../../src/core/types';
import { int8Adapt, int8Rank, int8Scorer, int8Start, type Int8Scorer } from '../../../src/core/int8-click';
import type { Int8KernelKind } from '../../../src/core/int8-kernel';
import { USER_PARAM_NAMES, type Int8Model, type UserParams } from '../../../src/core/int8-model';
import { dequantizeAll, quantizeRows } from '../../../src/core/int8-rows';
import { encodeItemLists, listRow } from '../../../src/core/item-lists';
import { initParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { topK } from '../../../src/math/top-k';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 2_000;
const DIM = 16;
const M = 8;

/** A random int8 model, and the float model that is exactly its dequantized form (what the host path runs). */
function models(): { int8: Int8Model; float: AdaptModel } {
  const rng = createRng('int8-click');
  const vectors = quantizeRows(Float32Array.from({ length: N * DIM }, () => rng.normal() * 0.4), N, DIM);
  const context = quantizeRows(Float32Array.from({ length: N * DIM }, () => rng.normal() * 0.4), N, DIM);
  const bias = Float32Array.from({ length: N }, () => rng.normal());
  const neighbours = encodeItemLists(N, N, () => {
    const ids = new Set<number>();
    while (ids.size < M) ids.add(rng.int(N));
    return { ids: [...ids], weights: [...ids].map(() => rng.next()) };
  });
  const params = initParams({ items: N, features: 1, dim: DIM }, { seed: 3, scale: 0.5, innerLr: 0.5, protoScale: 0.8, knnInit: 1.5 });
  const user = {} as Record<string, Float32Array>;
  for (const name of USER_PARAM_NAMES) user[name] = params[name].dataSync() as Float32Array;
  const ids = new Int32Array(N * M).fill(-1);
  const sims = new Float32Array(N * M);
  for (let r = 0; r < N; r++) {
    const row = listRow(neighbours, r);
    row.ids.forEach((id, e) => ((ids[r * M + e] = id), (sims[r * M + e] = row.weights[e]!)));
  }
  const items = {
    vectors: tf.tensor2d(dequantizeAll(vectors), [N, DIM]),
    bias: tf.tensor1d(bias),
    context: tf.tensor2d(dequantizeAll(context), [N, DIM]),
  };
  return { int8: { items: { vectors, context, bias }, user: user as UserParams, neighbours }, float: { params, items, neighbours: { m: M, ids, sims }, decay: 1 } };
}

const FEEDBACK: Record<string, Feedback> = {
  'one click': { clicks: Int32Array.of(4), negatives: new Int32Array(0) },
  'clicks with repeats and impressions': { clicks: Int32Array.of(9, 9, 40, 1777), negatives: Int32Array.of(9, 12, 13, 200) },
  'weighted clicks': { clicks: Int32Array.of(1, 2, 3), negatives: Int32Array.of(5), clickWeights: Float32Array.of(1, 0.5, 2) },
  'no clicks': { clicks: new Int32Array(0), negatives: new Int32Array(0) },
};

describe('int8 click path', () => {
  const { int8, float } = models();
  const scorers: Record<Int8KernelKind, Int8Scorer> = {
    'simd-i16': int8Scorer(int8, { kind: 'simd-i16' }),
    'simd-f32': int8Scorer(int8, { kind: 'simd-f32' }),
    loops: int8Scorer(int8, { kind: 'loops' }),
  };

  describe.each(Object.entries(FEEDBACK))('%s', (_, feedback) => {
    it.each(Object.keys(scorers) as Int8KernelKind[])('%s: same start, steps, scores (within 1e-3) and top 20 as the float host path on the dequantized table', async (kind) => {
      const scorer = scorers[kind];
      const start = initialState(float, feedback.clicks, 'host');
      const out = await adapt(float, start, feedback, { steps: 3, negativeWeight: 0.7, kernel: 'host' });
      const wantScores = await scoreAll(float.items, out.state, 'host');
      const got = int8Adapt(scorer, feedback, 3, 0.7);
      const mine = int8Start(scorer, feedback.clicks);
      const theirs = (await start.user.data()) as Float32Array;
      mine.user.forEach((v, d) => expect(v).toBeCloseTo(theirs[d]!, 5));
      expect(got.losses.length).toBe(out.steps.length);
      got.losses.forEach((loss, s) => expect(loss).toBeCloseTo(out.steps[s]!.loss, 3));
      let worst = 0;
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(got.scores[i]! - wantScores[i]!));
      expect(worst).toBeLessThan(1e-3);
      const exclude = feedback.clicks;
      expect(Array.from(int8Rank(got.scores, 20, exclude).indices)).toEqual(Array.from(topK(wantScores, 20, new Set(exclude)).indices));
      disposeState(start);
      disposeState(out.state);
    });
  });

  it('moves the ranking towards what was clicked', () => {
    const scorer = scorers['simd-i16'];
    const clicks = Int32Array.of(10, 11, 12);
    const before = int8Adapt(scorer, { clicks: new Int32Array(0), negatives: new Int32Array(0) }, 2, 0.5).scores;
    const after = int8Adapt(scorer, { clicks, negatives: new Int32Array(0) }, 2, 0.5).scores;
    for (const c of clicks) expect(after[c]! - before[c]!).toBeGreaterThan(0);
  });
});
