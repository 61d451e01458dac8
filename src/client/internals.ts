import type { Recommender } from './types';
import type { Supervisor } from './supervisor';
import type { RequestMap } from '../worker/messages';

// Diagnostics that are not part of the public API (tests, a debug panel):
// the recommender's worker supervisor, found by the recommender object.
const supervisors = new WeakMap<Recommender, Supervisor>();

export function registerSupervisor(recommender: Recommender, supervisor: Supervisor): void {
  supervisors.set(recommender, supervisor);
}

/** Live tfjs tensor count and backend inside the recommender's worker, and the WGSL path's GPU counts when it runs the clicks. */
export function debugInfo(recommender: Recommender): Promise<RequestMap['debug']['result']> {
  return supervisorOf(recommender).request('debug', {});
}

/** Destroys the worker's WebGPU device to exercise the fallback; resolves with the backend it moved to. */
export function simulateDeviceLoss(recommender: Recommender, options: { midClick?: boolean } = {}): Promise<{ backend: string }> {
  return supervisorOf(recommender).request('loseDevice', options);
}

/** The worker running now, to terminate it or message it from a test (a restart replaces it). */
export function currentWorker(recommender: Recommender): Worker {
  return supervisorOf(recommender).currentWorker;
}

/** Shortens how long a silent worker with calls waiting is given before it is taken for hung and restarted, ms. */
export function setStallTimeout(recommender: Recommender, ms: number): void {
  supervisorOf(recommender).stallMs = ms;
}

function supervisorOf(recommender: Recommender): Supervisor {
  const supervisor = supervisors.get(recommender);
  if (!supervisor) throw new Error('Not a recommender from createRecommender().');
  return supervisor;
}
