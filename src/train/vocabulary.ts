// Which tags become content features: the minimum number of items a tag must
// carry, chosen on validation users. `npm run train` and the PyTorch trainer's
// data step (`npm run train:prepare`) both call chooseVocabulary, so both
// trainers learn on the same features.
import { disposeInputs, featureVocabulary, tagCounts } from '../core/features';
import { disposeParams, fromArrays, initParams, toArrays } from '../core/params';
import { alsData, alsFactors, alsParams, splitByContent } from './als-start';
import { contentRegression } from './content-map';
import type { TrainConfig } from './config';
import { itemSide, sideInputs } from './item-side';
import type { TrainingData } from './types';
import { validate } from './validate';
import { createRng } from '../math/rng';
import { validationSubset } from './dataset-split';

/** What the search tried and kept. */
export interface VocabularyChoice {
  /** The vocabulary: the constant feature, then the kept tags, most frequent first. */
  readonly names: string[];
  /** Items a tag had to carry to be kept. */
  readonly minCount: number;
  /** Each distinct vocabulary tried: its minimum count, size and proxy validation (absent when nothing was searched). */
  readonly trials: readonly { readonly minCount: number; readonly features: number; readonly validation?: number }[];
}

/** Inner rate of the proxy's head (the ALS start's first; the real head is searched later). */
const PROXY_INNER_LR = 0.01;

/**
 * Training users the proxy's ALS fits at most: a seeded subset beyond it. The proxy's cost is
 * that ALS (10 iterations over every training interaction: 625 CPU s of the data step on a
 * 10M-interaction log of 398k users), and it only has to tell vocabularies apart on the items
 * content decides. 20,000 users keep ~1/20 of such a log; MovieLens 100K (943 users), Last.fm
 * (1,892) and every fixture are below it and choose exactly as before.
 */
export const PROXY_TRAINING_USERS = 20_000;

/**
 * Validation user × catalog item scorings the proxy's one validation per vocabulary may cost: a
 * seeded subset of the validation users beyond it (never below PROXY_MIN_VALIDATION_USERS).
 * Next-click validation scores every click of a user against the whole catalog, so at 100k items
 * the run's 400 validation users made the proxy's trial minutes long; 10M scorings keep 100 users
 * there, and every user of MovieLens 100K (1,682 items), Last.fm (17,632 items) and the fixtures.
 */
export const PROXY_VALIDATION_SCORINGS = 10_000_000;
export const PROXY_MIN_VALIDATION_USERS = 100;

/** The proxy's validation users: all of them up to the scorings cap for a catalog of `items`, else a seeded subset in protocol order. */
export function proxyValidationUsers<U>(validation: readonly U[], items: number, seed: number): readonly U[] {
  const cap = Math.max(PROXY_MIN_VALIDATION_USERS, Math.floor(PROXY_VALIDATION_SCORINGS / Math.max(1, items)));
  return validationSubset(validation, cap, seed);
}

/** The proxy's training users: all of them up to PROXY_TRAINING_USERS, else a seeded subset in protocol order. */
export function proxyTrainingUsers(train: readonly Int32Array[], seed: number, max = PROXY_TRAINING_USERS): readonly Int32Array[] {
  if (train.length <= max) return train;
  const keep = createRng(`${seed}:vocabulary`).sample(train.length, max).sort((a, b) => a - b);
  return keep.map((i) => train[i]!);
}

/**
 * The vocabulary the validation users prefer among `config.tagMinCounts`.
 * The proxy is the ALS start (its middle λ, no item lists, the runtime's
 * steps): warm items keep their ALS vectors exactly (content map + residual),
 * so candidates differ where content is all there is, on items no training
 * user touched. A larger vocabulary must score strictly higher to be kept;
 * ties keep the smaller one. One distinct candidate: no search at all.
 * Past `deadline` no new trial starts (and the proxy ALS stops after its current iteration): the
 * smaller vocabularies come first. The proxy fits on at most PROXY_TRAINING_USERS training
 * users and scores on at most PROXY_VALIDATION_SCORINGS / items validation users (seeded subsets).
 */
export async function chooseVocabulary(
  data: TrainingData,
  config: Pick<TrainConfig, 'tagMinCounts' | 'dim' | 'alsAlpha' | 'alsLambdas' | 'seed' | 'innerSteps' | 'objective' | 'validationKs'>,
  onTrial?: (trial: VocabularyChoice['trials'][number]) => void,
  deadline?: number,
): Promise<VocabularyChoice> {
  const counts = tagCounts(data.tags);
  // Distinct vocabularies only, smallest first: a minimum count no tag sits between adds nothing.
  const candidates: { minCount: number; size: number }[] = [];
  for (const minCount of [...new Set(config.tagMinCounts)].sort((a, b) => b - a)) {
    const size = [...counts.values()].filter((c) => c >= minCount).length + 1;
    if (!candidates.some((c) => c.size === size)) candidates.push({ minCount, size });
  }
  if (candidates.length === 0) throw new Error('Training setting tagMinCounts is empty: give at least one minimum tag count, e.g. [1, 2, 5].');
  if (candidates.length === 1) {
    const { minCount, size } = candidates[0]!;
    return { names: featureVocabulary(data.tags, minCount), minCount, trials: [{ minCount, features: size }] };
  }
  const items = data.tags.length;
  // The proxy on its training subset throughout: ALS, warm items and popularity agree.
  const proxy = { ...data, train: proxyTrainingUsers(data.train, config.seed), validation: proxyValidationUsers(data.validation, items, config.seed) };
  const lambdas = [...config.alsLambdas].sort((a, b) => a - b);
  const lambda = lambdas[Math.floor((lambdas.length - 1) / 2)]!;
  const cfg = { dim: config.dim, alpha: config.alsAlpha, lambdas: [lambda], temperature: 10, seed: config.seed };
  const shape = { items, features: 1, dim: config.dim };
  const shared = alsData(proxy.train, items);
  const outOfTime = deadline === undefined ? undefined : (): boolean => performance.now() >= deadline;
  // ALS's vectors do not depend on the vocabulary: one run, split per candidate (past `deadline` it stops after its current iteration).
  const plain = alsFactors(shared, cfg, lambda, outOfTime);
  const trials: { minCount: number; features: number; validation: number }[] = [];
  let best: { names: string[]; minCount: number; score: number } | undefined;
  for (const { minCount } of candidates) {
    // Out of time (performance.now() past `deadline`): keep the best of the trials run, at least one.
    if (best && deadline !== undefined && performance.now() >= deadline) break;
    const names = featureVocabulary(data.tags, minCount);
    const side = itemSide(proxy, names);
    const withContent = splitByContent(plain, contentRegression({ features: side.features, warm: side.warm }), config.dim);
    const candidateShape = { ...shape, features: names.length };
    const base = initParams(candidateShape, { seed: config.seed });
    const arrays = alsParams(await toArrays(base), withContent, { lambda, knn: 0, pop: 0, innerLr: PROXY_INNER_LR });
    disposeParams(base);
    const params = fromArrays(arrays, candidateShape);
    const inputs = sideInputs(side);
    try {
      const score = (await validate(params, inputs, proxy.validation, config, config.innerSteps)).mean;
      const trial = { minCount, features: names.length, validation: score };
      trials.push(trial);
      onTrial?.(trial);
      if (!best || score > best.score) best = { names, minCount, score };
    } finally {
      disposeParams(params);
      disposeInputs(inputs);
    }
  }
  return { names: best!.names, minCount: best!.minCount, trials };
}
