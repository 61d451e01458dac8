// What the benchmark measures inside the worker, on the active tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../src/artifact';
import { adapt } from '../../src/core/adapt';
import { initialState, rank, scoreAll } from '../../src/core/kernels';
import { disposeState } from '../../src/core/state';
import type { ClickKernel } from '../../src/core/types';
import { createRng } from '../../src/math/rng';
import { topK } from '../../src/math/top-k';

const now = (): number => performance.now();

/** One click's work as the worker does it: prototype start, the artifact's steps, top `top` without the clicks. */
export async function click(model: Model, clicks: Int32Array, top: number, kernel: ClickKernel): Promise<{ indices: Int32Array; scores: Float32Array }> {
  const start = initialState(model, clicks, kernel);
  const { steps, negativeWeight } = model.meta.adaptation;
  const out = await adapt(model, start, { clicks, negatives: new Int32Array(0) }, { steps, negativeWeight, kernel });
  const ranked = await rank(model.items, out.state, top, clicks, kernel);
  disposeState(start);
  disposeState(out.state);
  return ranked;
}

/**
 * Times the cases in order (after up to `warmup` untimed ones), stopping early once
 * `budgetMs` is spent and at least 5 ran (the software GPU backends take
 * 0.2–2 s per click); returns ms per case and the first case's ranking.
 */
export async function clickTimes(model: Model, cases: readonly number[][], top: number, kernel: ClickKernel, warmup: number, budgetMs: number) {
  // The first run compiles shaders and fills caches; more warm-up only where it is cheap.
  const warming = now();
  for (const [i, c] of cases.slice(0, warmup).entries()) {
    if (i > 0 && now() - warming > budgetMs / 4) break;
    await click(model, Int32Array.from(c), top, kernel);
  }
  const times: number[] = [];
  let first: { indices: number[]; scores: number[] } | null = null;
  const began = now();
  for (const c of cases) {
    if (times.length >= 5 && now() - began > budgetMs) break;
    const t0 = now();
    const ranked = await click(model, Int32Array.from(c), top, kernel);
    times.push(now() - t0);
    first ??= { indices: Array.from(ranked.indices), scores: Array.from(ranked.scores) };
  }
  return { times, first, steps: model.meta.adaptation.steps };
}

/** Kernel dispatches of one click (tf.profile), and the distinct kernels. */
export async function dispatches(model: Model, clicks: readonly number[], kernel: ClickKernel) {
  const info = await tf.profile(async () => {
    await click(model, Int32Array.from(clicks), 20, kernel);
  });
  return { kernels: info.kernels.length, distinct: [...new Set(info.kernelNames)].sort() };
}

/** Tensor count after each round of `perRound` consecutive adaptations. */
export async function adaptRounds(model: Model, rounds: number, perRound: number, kernel: ClickKernel): Promise<number[]> {
  const rng = createRng('memory');
  const counts: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < perRound; k++) await click(model, Int32Array.from({ length: 20 }, () => rng.int(model.catalog.length)), 20, kernel);
    counts.push(tf.memory().numTensors);
  }
  return counts;
}

/**
 * Ranking alone: top `topk` of `items` random item vectors (seeded), `reps`
 * times; also the selection alone (tf.topk, or the partial selection) on
 * precomputed scores, to see what the selection costs.
 */
export async function scoring(items: number, dim: number, topk: number, reps: number, kernel: ClickKernel) {
  const table = tf.tidy(() => ({
    vectors: tf.randomNormal([items, dim], 0, 1, 'float32', 1) as tf.Tensor2D,
    bias: tf.randomNormal([items], 0, 1, 'float32', 2) as tf.Tensor1D,
    context: tf.zeros([1, dim]) as tf.Tensor2D,
  }));
  const state = { user: tf.randomNormal([1, dim], 0, 1, 'float32', 3) as tf.Tensor2D, pop: tf.tensor2d([[0.5]]) };
  const times: number[] = [];
  const selection: number[] = [];
  const scores = await scoreAll(table, state, 'tfjs');
  // The same scores as a tensor on the active backend, for timing tf.topk alone.
  const scoresT = tf.tensor1d(scores);
  // One untimed run: it compiles the shaders, or makes the host kernel's copy of the table.
  for (let r = 0; r < reps + 1; r++) {
    let t0 = now();
    await rank(table, state, topk, undefined, kernel);
    const ms = now() - t0;
    t0 = now();
    if (kernel === 'tfjs') {
      const top = tf.topk(scoresT, topk);
      await Promise.all([top.indices.data(), top.values.data()]);
      tf.dispose([top.indices, top.values]);
    } else topK(scores, topk);
    if (r >= 1) {
      times.push(ms);
      selection.push(now() - t0);
    }
  }
  tf.dispose([table.vectors, table.bias, table.context, state.user, state.pop, scoresT]);
  return { times, selection };
}

/** The backend's matrix-product peak: GFLOP/s of a size × size product, best of `reps`. */
export async function peak(size: number, reps: number): Promise<{ size: number; gflops: number }> {
  const [a, b] = [tf.randomNormal([size, size], 0, 1, 'float32', 4), tf.randomNormal([size, size], 0, 1, 'float32', 5)];
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (r > 0) best = Math.min(best, now() - t0);
  }
  tf.dispose([a, b]);
  return { size, gflops: (2 * size ** 3) / (best * 1e6) };
}
