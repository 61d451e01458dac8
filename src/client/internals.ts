import type { Recommender } from './recommender';
import type { WorkerLink } from './link';

// Diagnostics that are not part of the public API (tests, a debug panel):
// the recommender's worker link, found by the recommender object.
const links = new WeakMap<Recommender, WorkerLink>();

export function registerLink(recommender: Recommender, link: WorkerLink): void {
  links.set(recommender, link);
}

/** Live tfjs tensor count and backend inside the recommender's worker. */
export function debugInfo(recommender: Recommender): Promise<{ numTensors: number; backend: string }> {
  return linkOf(recommender).request('debug', {});
}

/** Destroys the worker's WebGPU device to exercise the fallback; resolves with the backend it moved to. */
export function simulateDeviceLoss(recommender: Recommender): Promise<{ backend: string }> {
  return linkOf(recommender).request('loseDevice', {});
}

function linkOf(recommender: Recommender): WorkerLink {
  const link = links.get(recommender);
  if (!link) throw new Error('Not a recommender from createRecommender().');
  return link;
}
