/** What a localrec database holds, read with the raw IndexedDB API (not through the worker). */
export interface StoredSummary {
  readonly databases: string[];
  readonly events: { type: string; itemId: string; modelVersion: string }[];
  readonly states: { version: string; eventCount: number }[];
  /** The current-artifact pointer's version, or null. */
  readonly artifact: string | null;
  /** Cached artifact files as `version/name`. */
  readonly artifactFiles: string[];
}

/**
 * Reads database `name` in the page: pass to `page.evaluate(storedSummary, name)`.
 * Self-contained (Playwright sends its source to the page). A missing database
 * reads as empty and is not created.
 */
export async function storedSummary(name: string): Promise<StoredSummary> {
  const databases = (await indexedDB.databases()).map((d) => d.name ?? '');
  const empty = { databases, events: [], states: [], artifact: null, artifactFiles: [] };
  if (!databases.includes(name)) return empty;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const all = <T>(store: string, keys = false) =>
    new Promise<T[]>((resolve, reject) => {
      const os = db.transaction(store).objectStore(store);
      const request = keys ? os.getAllKeys() : os.getAll();
      request.onsuccess = () => resolve(request.result as T[]);
      request.onerror = () => reject(request.error);
    });
  try {
    const events = await all<{ type: string; itemId: string; modelVersion: string }>('events');
    const states = await all<{ version: string; eventCount: number }>('state');
    const pointers = await all<{ key: string; version: string }>('pointers');
    const files = await all<[string, string]>('artifacts', true);
    return {
      databases,
      events: events.map((e) => ({ type: e.type, itemId: e.itemId, modelVersion: e.modelVersion })),
      states: states.map((s) => ({ version: s.version, eventCount: s.eventCount })),
      artifact: pointers.find((p) => p.key === 'current')?.version ?? null,
      artifactFiles: files.map(([version, file]) => `${version}/${file}`),
    };
  } finally {
    db.close();
  }
}
