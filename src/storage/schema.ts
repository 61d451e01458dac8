import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

/** What a visitor did: clicked, was shown (impression = shown, not clicked), or rated an item. */
export const EVENT_TYPES = ['click', 'impression', 'rating'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One stored visitor event. `time` in ms since the epoch. */
export interface StoredEvent {
  readonly id: number;
  readonly type: EventType;
  readonly itemId: string;
  /** The rating for 'rating' events; absent otherwise. */
  readonly value?: number;
  readonly time: number;
  /** The model version that was live when the event happened. */
  readonly modelVersion: string;
}

export type NewEvent = Omit<StoredEvent, 'id'>;

/** Adapted parameters for one model version (the JSON from core's serializeState). */
export interface StoredState {
  readonly version: string;
  readonly state: unknown;
  /** How many events the state was adapted on, so a stale state can be told apart. */
  readonly eventCount: number;
  readonly savedAt: number;
}

/** One cached artifact file. */
export interface StoredArtifactFile {
  readonly version: string;
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** Which cached artifact version is complete and verified. */
export interface ArtifactPointer {
  readonly key: 'current';
  readonly version: string;
  readonly names: readonly string[];
  readonly savedAt: number;
  /** 'sha256': every file's hash was checked before it was stored (absent: stored by an older runtime, hash again). */
  readonly verified?: 'sha256';
  /** The backend `auto` chose for this version on this device, so that later starts need not time them all again. */
  readonly backend?: RememberedBackend;
}

/** A backend choice of `auto`, as measured (names and ms as the backend module reports them). */
export interface RememberedBackend {
  readonly backend: string;
  readonly reason: string;
  readonly timings: readonly { readonly name: string; readonly ms: number | null; readonly error?: string }[];
  /** When it was measured, ms since the epoch. */
  readonly at: number;
}

export interface LocalrecDB extends DBSchema {
  events: { key: number; value: StoredEvent; indexes: { 'by-time': number } };
  state: { key: string; value: StoredState };
  artifacts: { key: [string, string]; value: StoredArtifactFile; indexes: { 'by-version': string } };
  pointers: { key: string; value: ArtifactPointer };
}

type AnyDB = IDBPDatabase<LocalrecDB>;
type UpgradeTx = IDBPTransaction<LocalrecDB, StoreNames<LocalrecDB>[], 'versionchange'>;

/** One schema step: `up` turns a database at `version - 1` into `version`. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: AnyDB, tx: UpgradeTx): void;
}

/**
 * Ordered schema history. Append a new entry to change the schema (never edit
 * a shipped one): a visitor's database runs every step above its version.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, adapted state per model version, cached artifact files and the current-artifact pointer',
    up(db) {
      const events = db.createObjectStore('events', { keyPath: 'id', autoIncrement: true });
      events.createIndex('by-time', 'time');
      db.createObjectStore('state', { keyPath: 'version' });
      const artifacts = db.createObjectStore('artifacts', { keyPath: ['version', 'name'] });
      artifacts.createIndex('by-version', 'version');
      db.createObjectStore('pointers', { keyPath: 'key' });
    },
  },
];

/** Runs the migrations above `oldVersion` up to `newVersion`, in order. */
export function migrate(migrations: readonly Migration[], db: AnyDB, tx: UpgradeTx, oldVersion: number, newVersion: number): void {
  for (const m of migrations) {
    if (m.version > oldVersion && m.version <= newVersion) m.up(db, tx);
  }
}

/** Checks the list is 1, 2, 3, … so a gap or reordering fails loudly at open. */
export function latestVersion(migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}. Append migrations; never reorder them.`);
    }
  });
  return migrations.length;
}
