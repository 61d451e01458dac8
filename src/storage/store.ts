import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import { clearArtifacts, currentArtifact, putArtifact, rememberBackend } from './artifacts';
import { exportAll, stats } from './privacy';
import { evictOldest } from './quota';
import { latestVersion, migrate, MIGRATIONS, type LocalrecDB, type Migration, type StoredEvent } from './schema';
import type { Store } from './types';

/** The visitor's database when the page names none. */
export const DEFAULT_DB_NAME = 'localrec';

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
    rememberBackend: (version, choice) => rememberBackend(db, version, choice),
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
