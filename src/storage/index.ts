// The one module that imports `idb`: the visitor's events, adapted state and
// the cached model artifact, in a versioned IndexedDB schema.
export { openStore, DEFAULT_DB_NAME, type OpenOptions } from './store';
export type { Eviction, ResilientStore, StorageMode, StorageNotice, Store } from './types';
export { openResilientStore, type ResilientOptions } from './resilient';
export { memoryStore } from './memory';
export { EVICT_FRACTION, MAX_EVICTION_ROUNDS } from './quota';
export type { CachedArtifact } from './artifacts';
export type { ExportedData, StoreStats } from './privacy';
export {
  EVENT_TYPES,
  MIGRATIONS,
  type EventType,
  type Migration,
  type NewEvent,
  type StoredEvent,
  type StoredState,
  type RememberedBackend,
  type LocalrecDB,
} from './schema';
