import * as tf from '@tensorflow/tfjs-core';
import { computeItemTable, scoreBatch } from '../core/model';
import type { ItemInputs, ItemTable, UserBatch } from '../core/types';
import { seqWeights, type Transitions } from '../core/transitions';
import { innerRates, innerStep, startUsers } from '../core/inner';
import type { MetaParams } from '../core/params';
import { episodeMetrics } from '../protocol/metrics';
import { makeEpisode } from '../protocol/episodes';
import type { UserPositives } from '../protocol/types';
import { neighbourRow, type Neighbours } from '../core/neighbours';
import { weightedRows } from './tasks';
import { decayOf, recencyWeights } from '../core/recency';
import { prequentialMetrics, prequentialSteps } from '../protocol/prequential';

/** Users scored per batch: bounds memory at batch × catalog floats. */
const CHUNK = 64;

/**
 * What scoring many users with one set of parameters needs once, not per call:
 * the item table (with its transposed vectors) and the recency decay. Built by
 * `scoringTable`; its owner disposes it with `disposeScoringTable`.
 */
export interface ScoringTable {
  readonly items: ItemTable & { readonly vectorsT: tf.Tensor2D };
  readonly decay: number;
}

/** The item table of `params` and their decay, computed once for every user scored with them. */
export async function scoringTable(params: MetaParams, inputs: ItemInputs): Promise<ScoringTable> {
  const decay = decayOf((await params.logitDecay.data())[0]!);
  const table = computeItemTable(params, inputs);
  // Scored 3+ times per chunk of users and never differentiated: transposed once (core/types ItemTable.vectorsT).
  return { items: { ...table, vectorsT: tf.transpose(table.vectors) as tf.Tensor2D }, decay };
}

export function disposeScoringTable(table: ScoringTable): void {
  const { items } = table;
  tf.dispose([items.vectors, items.bias, items.context, items.vectorsT]);
}

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
  lists: ItemLists = {},
): Promise<Float32Array[][]> {
  const table = await scoringTable(params, inputs);
  try {
    return await adaptedScoresWith(table, params, supports, steps, keepSteps, lists);
  } finally {
    disposeScoringTable(table);
  }
}

/**
 * `adaptedScores` on a table built once (scoringTable): for a caller that scores
 * users one call at a time with the same parameters (the eval's test users), the
 * same floats without recomputing the catalog's item table per call.
 */
export async function adaptedScoresWith(
  table: ScoringTable,
  params: MetaParams,
  supports: readonly Int32Array[],
  steps: number,
  keepSteps: 'last' | 'all' = 'last',
  lists: ItemLists = {},
): Promise<Float32Array[][]> {
  const out: Float32Array[][] = keepSteps === 'all' ? Array.from({ length: steps + 1 }, () => []) : [[]];
  await forEachAdaptedWith(table, params, supports, steps, keepSteps, lists, (s, _u, scores) => void (keepSteps === 'all' ? out[s]! : out[0]!).push(scores.slice()));
  return out;
}

/**
 * Streams what adaptedScores returns: `visit(step, user, scores)` for every
 * user (in order) after the last step, or after every step with 'all'. The
 * scores are a view valid during the call only: memory stays at one chunk.
 */
export async function forEachAdapted(
  params: MetaParams,
  inputs: ItemInputs,
  supports: readonly Int32Array[],
  steps: number,
  keepSteps: 'last' | 'all',
  lists: ItemLists,
  visit: (step: number, user: number, scores: Float32Array) => void,
): Promise<void> {
  const table = await scoringTable(params, inputs);
  try {
    await forEachAdaptedWith(table, params, supports, steps, keepSteps, lists, visit);
  } finally {
    disposeScoringTable(table);
  }
}

/** `forEachAdapted` on a table built once (scoringTable). */
async function forEachAdaptedWith(
  table: ScoringTable,
  params: MetaParams,
  supports: readonly Int32Array[],
  steps: number,
  keepSteps: 'last' | 'all',
  lists: ItemLists,
  visit: (step: number, user: number, scores: Float32Array) => void,
): Promise<void> {
  const { neighbours, transitions } = lists;
  const { items, decay } = table;
  const n = items.vectors.shape[0];
  // A support's click weights depend on its length alone (one decay per call): protocol v2's
  // prefixes have at most 50 lengths among thousands of supports.
  const [recency, sequential] = [new Map<number, Float64Array>(), new Map<number, Float64Array>()];
  for (let start = 0; start < supports.length; start += CHUNK) {
    const chunk = supports.slice(start, start + CHUNK);
    const weights = chunk.map((s) => byLength(recency, s.length, () => recencyWeights(s.length, decay).weights));
    const support = {
      positives: tf.tensor2d(weightedRows(chunk, weights, n), [chunk.length, n]),
      count: tf.tensor2d(chunk.map((s) => s.length), [chunk.length, 1]),
      ...(neighbours ? { neighbours: tf.tensor2d(listRows(neighbours, chunk, weights, n), [chunk.length, n]) } : {}),
      ...(transitions ? { transitions: tf.tensor2d(listRows(transitions, chunk, chunk.map((s) => byLength(sequential, s.length, () => seqWeights(s.length, decay).weights)), n), [chunk.length, n]) } : {}),
    };
    const rates = innerRates(params, support);
    let users = startUsers(params, items, support);
    for (let s = 0; s <= steps; s++) {
      if (s > 0) {
        const next = innerStep(items, users, support, rates);
        disposeUsers(users);
        users = next;
      }
      if (keepSteps === 'all' || s === steps) {
        const scores = scoreBatch(items, users);
        const flat = (await scores.data()) as Float32Array;
        scores.dispose();
        chunk.forEach((_, u) => visit(s, start + u, flat.subarray(u * n, (u + 1) * n)));
      }
    }
    disposeUsers(users);
    tf.dispose([support.positives, support.count, support.neighbours, support.transitions, rates.user, rates.pop, rates.knn, rates.seq].filter((t) => t !== undefined));
  }
}

/** The item lists a model scores with beyond its vectors: item-item neighbours and next-item transitions. */
export interface ItemLists {
  readonly neighbours?: Neighbours | undefined;
  readonly transitions?: Transitions | undefined;
}

function listRows(lists: Neighbours, supports: readonly Int32Array[], weights: readonly Float64Array[], n: number): Float32Array {
  const out = new Float32Array(supports.length * n);
  supports.forEach((s, u) => neighbourRow(lists, s, out.subarray(u * n, (u + 1) * n), weights[u]));
  return out;
}

/** The value `make` gives for `length`, made once per map. */
function byLength(cache: Map<number, Float64Array>, length: number, make: () => Float64Array): Float64Array {
  let v = cache.get(length);
  if (!v) cache.set(length, (v = make()));
  return v;
}

function disposeUsers(users: UserBatch): void {
  tf.dispose([users.user, users.pop, users.knn, users.neighbours, users.seq, users.transitions].filter((t) => t !== undefined));
}

/** Mean protocol v2 HR@10 of the next click over users (each the mean over their steps), as the harness scores it. */
export async function prequentialHr(
  params: MetaParams,
  inputs: ItemInputs,
  users: readonly UserPositives[],
  steps: number,
  lists: ItemLists = {},
): Promise<number> {
  const all = users.map((u) => prequentialSteps(u)).filter((s) => s.length > 0);
  const flat = all.flat();
  const owner = all.flatMap((s, u) => s.map(() => u));
  const hits = new Float64Array(all.length);
  await forEachAdapted(params, inputs, flat.map((s) => s.history), steps, 'last', lists, (_s, i, scores) => {
    hits[owner[i]!]! += prequentialMetrics(scores, flat[i]!).hit / all[owner[i]!]!.length;
  });
  return all.length ? hits.reduce((a, b) => a + b, 0) / all.length : 0;
}

/** Mean nDCG@10 of protocol episodes at each shot count, and their average. */
export async function episodeNdcg(
  params: MetaParams,
  inputs: ItemInputs,
  users: readonly UserPositives[],
  ks: readonly number[],
  steps: number,
  lists: ItemLists = {},
): Promise<{ byK: Record<number, number>; mean: number }> {
  const byK: Record<number, number> = {};
  for (const k of ks) {
    const episodes = users.map((u) => makeEpisode(u, k)).filter((e) => e !== null);
    const [scores] = await adaptedScores(params, inputs, episodes.map((e) => e.support), steps, 'last', lists);
    let total = 0;
    episodes.forEach((e, i) => (total += episodeMetrics(scores![i]!, e.support, e.query).ndcg10));
    byK[k] = episodes.length ? total / episodes.length : 0;
  }
  const values = Object.values(byK);
  return { byK, mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
}
