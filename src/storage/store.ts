import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { clearArtifacts, currentArtifact, putArtifact, type CachedArtifact } from './artifacts';
import { exportAll, stats, type ExportedData, type StoreStats } from './privacy';
import { evictOldest, type Eviction } from './quota';
import { latestVersion, migrate, MIGRATIONS, type LocalrecDB, type Migration, type NewEvent, type StoredEvent, type StoredState } from './schema';

export const DEFAULT_DB_NAME = 'localrec';

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

export interface OpenOptions {
  /** Schema history; tests pass a longer list to exercise a future migration. */
  readonly migrations?: readonly Migration[];
  /**
   * Another tab wants a newer schema (or to delete the database, `newVersion`
   * null): called instead of closing at once; the caller must close soon.
   */
  readonly onVersionChange?: (newVersion: number | null) => void;
  /** This open waits for another tab to close its connection at `oldVersion`. */
  readonly onBlocked?: (oldVersion: number, newVersion: number) => void;
  /** The browser closed the connection itself (e.g. the visitor cleared site data). */
  readonly onTerminated?: () => void;
}

/** Opens (creating or migrating) the visitor's database. */
export async function openStore(name: string = DEFAULT_DB_NAME, options: OpenOptions = {}): Promise<Store> {
  const migrations = options.migrations ?? MIGRATIONS;
  const version = latestVersion(migrations);
  let db: IDBPDatabase<LocalrecDB>;
  try {
    db = await openDB<LocalrecDB>(name, version, {
      upgrade(database, oldVersion, newVersion, tx) {
        migrate(migrations, database, tx, oldVersion, newVersion ?? version);
      },
      // Another tab running a newer schema wants to upgrade: step aside.
      blocking(_current, newVersion) {
        if (options.onVersionChange) options.onVersionChange(newVersion);
        else db.close();
      },
      blocked(oldVersion) {
        options.onBlocked?.(oldVersion, version);
      },
      terminated() {
        options.onTerminated?.();
      },
    });
  } catch (error) {
    throw new Error(`Could not open IndexedDB database "${name}" at schema v${version}: ${(error as Error).message}. If a newer version of the app created it, reload every tab.`);
  }
  return wrap(name, db);
}

function wrap(name: string, db: IDBPDatabase<LocalrecDB>): Store {
  return {
    name,
    async addEvents(events) {
      const tx = db.transaction('events', 'readwrite');
      const ids = await Promise.all(events.map((e) => tx.store.add(e as StoredEvent)));
      await tx.done;
      return ids;
    },
    events: () => db.getAll('events'),
    clearEvents: () => db.clear('events'),
    async saveState(version, state, eventCount = 0) {
      await db.put('state', { version, state, eventCount, savedAt: Date.now() });
    },
    loadState: (version) => db.get('state', version),
    clearState: () => db.clear('state'),
    putArtifact: (version, files) => putArtifact(db, version, files),
    currentArtifact: () => currentArtifact(db),
    clearArtifacts: () => clearArtifacts(db),
    exportAll: () => exportAll(db),
    stats: () => stats(db),
    evictOldest: (fraction) => evictOldest(db, fraction),
    async forget() {
      db.close();
      await deleteDB(name, {
        blocked() {
          console.warn(`Deleting IndexedDB "${name}" waits for other tabs of this site to close.`);
        },
      });
    },
    close: () => db.close(),
  };
}

/** Deletes a database this page holds no connection to; resolves when deleted or, if another tab holds it open, once the deletion is queued behind that tab. */
export function deleteStore(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    deleteDB(name, { blocked: () => resolve() }).then(resolve, reject);
  });
}
