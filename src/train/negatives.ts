// The candidate sets of the sampled losses (docs/TRAINING.md, "Sampled
// softmax"): the batch's positives P plus S popularity draws, with replacement,
// from q(i) ∝ (n_i + 1)^0.75 (n_i: the item's training users).
import * as tf from '@tensorflow/tfjs-core';
import { disposeInputs, featureRows, itemInputs } from '../core/features';
import type { Candidates } from '../core/sampled';
import type { ItemInputs } from '../core/types';
import { createRng, type Rng } from '../math/rng';
import type { TrainConfig } from './config';
import { trainingCounts, type ItemSide } from './item-side';
import type { TrainingData } from './types';

/** Exponent of the popularity in the draw distribution (word2vec's unigram^0.75). */
export const NEGATIVE_POWER = 0.75;

/** The draw distribution and its cumulative sums. */
export interface NegativeSampler {
  /** [items] q(i), summing to 1. */
  readonly q: Float64Array;
  /** [items] cumulative q, for draws by binary search. */
  readonly cdf: Float64Array;
  /** Draws per batch, S. */
  readonly draws: number;
}

/** The sampler over a catalog whose items have `counts` training users. */
export function negativeSampler(counts: ArrayLike<number>, draws: number): NegativeSampler {
  const q = Float64Array.from(counts, (n) => (n + 1) ** NEGATIVE_POWER);
  const total = q.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(q.length);
  let run = 0;
  for (let i = 0; i < q.length; i++) {
    q[i]! /= total;
    run += q[i]!;
    cdf[i] = run;
  }
  return { q, cdf, draws };
}

/** S draws with replacement from q. */
export function drawNegatives(sampler: NegativeSampler, rng: Rng): Int32Array {
  const { cdf } = sampler;
  const out = new Int32Array(sampler.draws);
  for (let s = 0; s < out.length; s++) {
    const u = rng.next() * cdf[cdf.length - 1]!;
    let [lo, hi] = [0, cdf.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    out[s] = lo;
  }
  return out;
}

/** The candidate ids C = P ∪ D (ascending) and log r_i for each: 0 on P, log(1 − (1 − q_i)^S) on D \ P. */
export function candidateSet(positives: Iterable<number>, drawn: ArrayLike<number>, sampler: Pick<NegativeSampler, 'q' | 'draws'>): { ids: Int32Array; logInclusion: Float32Array } {
  const inP = new Set(positives);
  const all = new Set<number>(inP);
  for (let s = 0; s < drawn.length; s++) all.add(drawn[s]!);
  const ids = Int32Array.from(all).sort();
  // log(1 − (1 − q)^S) = log(−expm1(S · log1p(−q))), exact for tiny q.
  const logInclusion = Float32Array.from(ids, (i) => (inP.has(i) ? 0 : Math.log(-Math.expm1(sampler.draws * Math.log1p(-sampler.q[i]!)))));
  return { ids, logInclusion };
}

/** A candidate set as the tensors core/sampled scores (the caller disposes them, disposeCandidates); with `side`, also the candidates' own item-side inputs. */
export function candidateTensors(set: { ids: Int32Array; logInclusion: Float32Array }, side?: HostItemSide): Candidates {
  return {
    ids: tf.tensor1d(set.ids, 'int32'),
    logInclusion: tf.tensor2d(set.logInclusion, [1, set.ids.length]),
    ...(side ? { inputs: candidateInputs(side, set.ids) } : {}),
  };
}

/** The host copies of the item side a batch's candidate rows are cut from (train/item-side ItemSide has them). */
export type HostItemSide = Pick<ItemSide, 'features' | 'warm' | 'logPop'>;

/** The item-side inputs of the items `ids` alone: O(C + their tags), so that a sampled batch computes no catalog-sized table. */
export function candidateInputs(side: HostItemSide, ids: Int32Array): ItemInputs {
  return itemInputs(featureRows(side.features, ids), Float32Array.from(ids, (i) => side.warm[i]!), Float32Array.from(ids, (i) => side.logPop[i]!));
}

/** Frees the tensors of a candidate set. */
export function disposeCandidates(candidates: Candidates): void {
  tf.dispose([candidates.ids, candidates.logInclusion]);
  if (candidates.inputs) disposeInputs(candidates.inputs);
}

/** Position of each catalog item among the candidates (-1: not a candidate). */
export function candidatePositions(ids: Int32Array, items: number): Int32Array {
  const at = new Int32Array(items).fill(-1);
  ids.forEach((i, k) => (at[i] = k));
  return at;
}

/** How a batch draws its candidates: the sampler, its own generator, or (tests, equivalence with PyTorch) the draws themselves. */
export interface TaskSampling {
  readonly sampler: NegativeSampler;
  readonly rng: Rng;
  readonly drawn?: Int32Array;
}

/** Sampled candidates (a batch's sub-catalog) when the catalog is above `sampledAbove` items (none otherwise). */
export function taskSampling(data: Pick<TrainingData, 'tags' | 'train'>, items: number, config: Pick<TrainConfig, 'sampledAbove' | 'negatives' | 'seed'>): TaskSampling | undefined {
  if (config.sampledAbove <= 0 || items <= config.sampledAbove) return undefined;
  return { sampler: negativeSampler(trainingCounts(data), config.negatives), rng: createRng(`${config.seed}:negatives`) };
}

