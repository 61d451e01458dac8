import * as tf from '@tensorflow/tfjs-core';
import { computeItemTable, scoreBatch } from '../core/model';
import type { ItemInputs } from '../core/types';
import { innerRates, innerStep, startUsers } from '../core/inner';
import type { MetaParams } from '../core/params';
import { episodeMetrics } from '../protocol/metrics';
import { makeEpisode } from '../protocol/episodes';
import type { UserPositives } from '../protocol/types';
import { neighbourRow, type Neighbours } from '../core/neighbours';
import { normalizedRows } from './tasks';

/** Users scored per batch: bounds memory at batch × catalog floats. */
const CHUNK = 64;

/**
 * Full-catalog scores for many new users at once, after each of 0..steps
 * adaptation steps: `out[s][u]` is user u's scores after s steps. The same
 * batched inner loop as training and as the browser (B = 1 there).
 */
export async function adaptedScores(
  params: MetaParams,
  inputs: ItemInputs,
  supports: readonly Int32Array[],
  steps: number,
  keepSteps: 'last' | 'all' = 'last',
  neighbours?: Neighbours,
): Promise<Float32Array[][]> {
  const n = inputs.warm.shape[0];
  const out: Float32Array[][] = keepSteps === 'all' ? Array.from({ length: steps + 1 }, () => []) : [[]];
  const items = computeItemTable(params, inputs);
  try {
    for (let start = 0; start < supports.length; start += CHUNK) {
      const chunk = supports.slice(start, start + CHUNK);
      const support = {
        positives: tf.tensor2d(normalizedRows(chunk, n), [chunk.length, n]),
        count: tf.tensor2d(chunk.map((s) => s.length), [chunk.length, 1]),
        ...(neighbours ? { neighbours: tf.tensor2d(neighbourRows(neighbours, chunk, n), [chunk.length, n]) } : {}),
      };
      const rates = innerRates(params, support);
      let users = startUsers(params, items, support);
      for (let s = 0; s <= steps; s++) {
        if (s > 0) {
          const next = innerStep(items, users, support, rates);
          tf.dispose([users.user, users.pop, users.knn, users.neighbours].filter((t) => t !== undefined));
          users = next;
        }
        if (keepSteps === 'all' || s === steps) {
          const scores = scoreBatch(items, users);
          const flat = (await scores.data()) as Float32Array;
          scores.dispose();
          const row = keepSteps === 'all' ? out[s]! : out[0]!;
          chunk.forEach((_, u) => row.push(flat.slice(u * n, (u + 1) * n)));
        }
      }
      tf.dispose([users.user, users.pop, users.knn, users.neighbours, support.positives, support.count, support.neighbours, rates.user, rates.pop, rates.knn].filter((t) => t !== undefined));
    }
  } finally {
    tf.dispose([items.vectors, items.bias, items.context]);
  }
  return out;
}

function neighbourRows(neighbours: Neighbours, supports: readonly Int32Array[], n: number): Float32Array {
  const out = new Float32Array(supports.length * n);
  supports.forEach((s, u) => neighbourRow(neighbours, s, out.subarray(u * n, (u + 1) * n)));
  return out;
}

/** Mean nDCG@10 of protocol episodes at each shot count, and their average. */
export async function episodeNdcg(
  params: MetaParams,
  inputs: ItemInputs,
  users: readonly UserPositives[],
  ks: readonly number[],
  steps: number,
  neighbours?: Neighbours,
): Promise<{ byK: Record<number, number>; mean: number }> {
  const byK: Record<number, number> = {};
  for (const k of ks) {
    const episodes = users.map((u) => makeEpisode(u, k)).filter((e) => e !== null);
    const [scores] = await adaptedScores(params, inputs, episodes.map((e) => e.support), steps, 'last', neighbours);
    let total = 0;
    episodes.forEach((e, i) => (total += episodeMetrics(scores![i]!, e.support, e.query).ndcg10));
    byK[k] = episodes.length ? total / episodes.length : 0;
  }
  const values = Object.values(byK);
  return { byK, mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
}
