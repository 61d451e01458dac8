import type { MethodFactory } from '../types.js';
import { popKnnBlend } from './blend.js';
import { blendBest } from './blend-best.js';
import { ease } from './ease.js';
import { ials } from './ials.js';
import { itemknn } from './itemknn.js';
import { itemknnRecency } from './itemknn-recency.js';
import { markov, markovTuned } from './markov.js';
import { NEURAL_METHODS } from './meta.js';
import { popularity } from './popularity.js';

/**
 * Every method the eval CLI knows, by its report name. The meta-learned methods (meta, maml,
 * fomaml, reptile, pretrain-finetune, protonet) are added here as factories of the same shape.
 */
export const METHODS: Record<string, MethodFactory> = {
  popularity: () => popularity(),
  itemknn: () => itemknn(),
  'pop-knn-blend': () => popKnnBlend(),
  ease: () => ease(),
  ials: () => ials(),
  markov: () => markov(),
  'markov-tuned': () => markovTuned(),
  'itemknn-recency': () => itemknnRecency(),
  blend: () => blendBest(BLEND_CANDIDATES),
  ...NEURAL_METHODS,
};

/** The tuned baselines the blend picks its best two from (on each fold's validation users). */
export const BLEND_CANDIDATES: Record<string, MethodFactory> = {
  'itemknn-recency': () => itemknnRecency(),
  'markov-tuned': () => markovTuned(),
  ease: () => ease(),
  ials: () => ials(),
};

/** The baselines run when --methods is not given. */
export const DEFAULT_METHODS = ['popularity', 'itemknn', 'pop-knn-blend', 'ease', 'ials'] as const;

/** Protocol v2's baselines run when --methods is not given: the three exactly specified ones, then the tuned ones. */
export const DEFAULT_METHODS_V2 = ['popularity', 'itemknn', 'markov', 'itemknn-recency', 'markov-tuned', 'ease', 'ials', 'blend'] as const;
