import type { CachedArtifact } from './artifacts';
import type { ExportedData, StoreStats } from './privacy';
import type { NewEvent, RememberedBackend, StoredEvent, StoredState } from './schema';

/** What one eviction did, in events. */
export interface Eviction {
  readonly evicted: number;
  readonly kept: number;
}

/** Everything stored on the device, behind one object. Close it when done. */
export interface Store {
  readonly name: string;
  /** Appends events; returns their ids (increasing). */
  addEvents(events: readonly NewEvent[]): Promise<number[]>;
  /** All events, oldest first. */
  events(): Promise<StoredEvent[]>;
  clearEvents(): Promise<void>;
  /** Saves adapted parameters for a model version; eventCount = events they were adapted on. */
  saveState(version: string, state: unknown, eventCount?: number): Promise<void>;
  loadState(version: string): Promise<StoredState | undefined>;
  clearState(): Promise<void>;
  putArtifact(version: string, files: Record<string, ArrayBuffer>): Promise<void>;
  currentArtifact(): Promise<CachedArtifact | undefined>;
  /** Keeps `auto`'s backend choice with the cached artifact of `version` (dropped with it). */
  rememberBackend(version: string, choice: RememberedBackend): Promise<void>;
  /** Drops the cached artifact (it is public, and downloaded again); returns the bytes freed. */
  clearArtifacts(): Promise<number>;
  exportAll(): Promise<ExportedData>;
  stats(): Promise<StoreStats>;
  /** Deletes the oldest `fraction` of the events (at least one): the quota policy (see quota.ts). */
  evictOldest(fraction?: number): Promise<Eviction>;
  /** Closes and deletes the whole database. The store is unusable afterwards. */
  forget(): Promise<void>;
  close(): void;
}

/** Where the visitor's events live right now. */
export type StorageMode = 'indexeddb' | 'memory';

/** Told to the page whenever storage had to change course. */
export interface StorageNotice {
  readonly storage: StorageMode;
  /** What happened and what it means for the visitor, in a sentence or two. */
  readonly reason: string;
  /** Events dropped, oldest first, to fit the quota; absent otherwise. */
  readonly evicted?: number;
}

/** A Store that keeps working when IndexedDB does not: it says which mode it is in. */
export interface ResilientStore extends Store {
  readonly mode: StorageMode;
  /** Another tab changed the stored events: read them from the database next time. */
  invalidate(): void;
}
