import { kernelFor, rank } from '../core/kernels';
import type { UserState } from '../core/types';
import { exclusionMask, rankOf } from '../protocol/metrics';
import type { RankedItem } from './messages';
import { indexOf, type EngineModel } from './model';

/** Top `count` items for a visitor, best first, skipping `exclude` ids. */
export async function topItems(model: EngineModel, state: UserState, count: number, exclude: readonly string[] = []): Promise<RankedItem[]> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`recommend({ count: ${count} }): count must be a whole number of items ≥ 0.`);
  const skip = Int32Array.from(exclude.map((id) => indexOf(model, id)));
  const { indices, scores } = await rank(model.adaptModel.items, state, count, skip, model.kernel);
  return Array.from(indices, (i, k) => {
    const item = model.catalog.item(i);
    const links = { ...(item.url ? { url: item.url } : {}), ...(item.image ? { image: item.image } : {}) };
    return { id: item.id, title: item.title, tags: item.tags, score: scores[k]!, ...links };
  });
}

/**
 * The 1-based rank `target` has under `state` among the items not yet
 * clicked, by the benchmark's rule (protocol/metrics: equal scores in catalog
 * order): a click ranked before adapting on it. A kernel that counts ranks
 * itself (the WGSL kernel: inside the adaptation's submission when that starts
 * in the same task) is asked before anything is awaited here.
 */
export async function prequentialRank(model: EngineModel, state: UserState, target: number, clicked: Iterable<number>): Promise<number> {
  const others = [...clicked].filter((i) => i !== target);
  const kernel = kernelFor(model.kernel);
  if (kernel.rankOf) return kernel.rankOf(model.adaptModel.items, state, target, Int32Array.from(others));
  const scores = await kernel.scores(model.adaptModel.items, state);
  return rankOf(scores, target, exclusionMask(scores.length, others));
}
