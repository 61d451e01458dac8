import type { MethodFactory } from '../types.js';
import { popKnnBlend } from './blend.js';
import { ease } from './ease.js';
import { ials } from './ials.js';
import { itemknn } from './itemknn.js';
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
  ...NEURAL_METHODS,
};

/** The baselines run when --methods is not given. */
export const DEFAULT_METHODS = ['popularity', 'itemknn', 'pop-knn-blend', 'ease', 'ials'] as const;
