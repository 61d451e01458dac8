import type { IDBPDatabase } from 'idb';
import type { LocalrecDB } from './schema';
import type { Eviction, Store } from './types';

// The policy when a write exceeds the site's storage quota. The visitor's
// events matter more than anything else stored, so, one step per failed try:
//   1. drop the cached model (it is public and downloaded again next visit);
//   2. drop the oldest EVICT_FRACTION of the events (at least one), up to
//      MAX_EVICTION_ROUNDS times, and only while that lowers the usage;
//   3. otherwise keep what is stored and carry on in memory (resilient.ts).

/** Share of the stored events dropped, oldest first, per eviction round. */
export const EVICT_FRACTION = 0.1;

/**
 * Eviction rounds per write at most: 0.9^10 ≈ 0.35, so the newest third of the
 * events always stays. Fitting can take several rounds: Chromium may enforce
 * the quota late (an in-memory profile failed a write at ~1.7× the quota,
 * then needed the usage back under it). Each round must lower the measured
 * usage, or eviction stops there: on disk, deleting may free nothing at once.
 */
export const MAX_EVICTION_ROUNDS = 10;

/** What the policy has freed so far for one write. */
export interface RoomMade {
  modelBytes: number;
  evicted: number;
  rounds: number;
}

/** True for the browser's "storage is full" failure (a transaction aborted by the quota). */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

/** Deletes the oldest `fraction` of the events (at least one) in one transaction. */
export async function evictOldest(db: IDBPDatabase<LocalrecDB>, fraction: number = EVICT_FRACTION): Promise<Eviction> {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`evictOldest(${fraction}): the fraction must be in (0, 1], e.g. ${EVICT_FRACTION}.`);
  const tx = db.transaction('events', 'readwrite');
  const total = await tx.store.count();
  const keys = total === 0 ? [] : await tx.store.getAllKeys(null, Math.max(1, Math.ceil(total * fraction)));
  // Ids grow with insertion, so one key range removes exactly the oldest ones.
  if (keys.length > 0) void tx.store.delete(IDBKeyRange.upperBound(keys.at(-1)!));
  await tx.done;
  return { evicted: keys.length, kept: total - keys.length };
}

/** Takes the next step of the policy on `store`; false when no step is left (go to memory). */
export async function makeRoom(store: Store, made: RoomMade): Promise<boolean> {
  const modelBytes = made.rounds === 0 ? await store.clearArtifacts() : 0;
  if (modelBytes > 0) {
    made.modelBytes += modelBytes;
    return true;
  }
  if (made.rounds >= MAX_EVICTION_ROUNDS) return false;
  const before = await storageUsage();
  const { evicted } = await store.evictOldest(EVICT_FRACTION);
  made.rounds += 1;
  made.evicted += evicted;
  if (evicted === 0) return false;
  // On a disk-backed profile deleting may free nothing until the database compacts: then stop, rather than lose more.
  const after = await storageUsage();
  return before === null || after === null || after < before;
}

/** The sentence the page gets after the policy made room for a write. */
export function describeRoomMade(made: RoomMade, kept: number): string {
  const steps = [
    made.modelBytes > 0 ? `the cached model (${made.modelBytes} bytes; it is downloaded again next visit)` : '',
    made.evicted > 0 ? `the ${made.evicted} oldest events (${EVICT_FRACTION * 100}% at a time; ${kept} kept)` : '',
  ].filter(Boolean);
  return `Storage quota exceeded: dropped ${steps.join(' and ')} to make room.`;
}

/** This site's storage use in bytes, or null where the browser does not say. */
async function storageUsage(): Promise<number | null> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  return estimate?.usage ?? null;
}
