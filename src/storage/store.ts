import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { currentArtifact, putArtifact, type CachedArtifact } from './artifacts';
import { exportAll, stats, type ExportedData, type StoreStats } from './privacy';
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
  exportAll(): Promise<ExportedData>;
  stats(): Promise<StoreStats>;
  /** Closes and deletes the whole database. The store is unusable afterwards. */
  forget(): Promise<void>;
  close(): void;
}

export interface OpenOptions {
  /** Schema history; tests pass a longer list to exercise a future migration. */
  readonly migrations?: readonly Migration[];
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
      blocking() {
        db.close();
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
    exportAll: () => exportAll(db),
    stats: () => stats(db),
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
