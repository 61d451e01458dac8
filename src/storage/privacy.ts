import type { IDBPDatabase } from 'idb';
import type { LocalrecDB, StoredEvent, StoredState } from './schema';

/** Everything stored about the visitor, as plain JSON (artifact files are listed, not dumped: they are the public model). */
export interface ExportedData {
  readonly database: string;
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly events: StoredEvent[];
  readonly states: StoredState[];
  readonly cachedModel: { readonly version: string; readonly files: { name: string; bytes: number }[] } | null;
}

/** Counts and sizes for a privacy panel. Bytes are approximate for JSON values. */
export interface StoreStats {
  readonly events: number;
  readonly byType: { readonly click: number; readonly impression: number; readonly rating: number };
  readonly states: number;
  readonly stateBytes: number;
  readonly eventBytes: number;
  readonly artifactVersion: string | null;
  readonly artifactBytes: number;
}

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

export async function exportAll(db: IDBPDatabase<LocalrecDB>): Promise<ExportedData> {
  const tx = db.transaction(['events', 'state', 'artifacts', 'pointers'], 'readonly');
  const [events, states, pointer] = await Promise.all([
    tx.objectStore('events').getAll(),
    tx.objectStore('state').getAll(),
    tx.objectStore('pointers').get('current'),
  ]);
  let cachedModel: ExportedData['cachedModel'] = null;
  if (pointer) {
    const files = await tx.objectStore('artifacts').index('by-version').getAll(pointer.version);
    cachedModel = { version: pointer.version, files: files.map((f) => ({ name: f.name, bytes: f.bytes.byteLength })) };
  }
  await tx.done;
  return { database: db.name, schemaVersion: db.version, exportedAt: new Date().toISOString(), events, states, cachedModel };
}

export async function stats(db: IDBPDatabase<LocalrecDB>): Promise<StoreStats> {
  return summarize(await exportAll(db));
}

/** Counts and sizes of exported data: shared by the IndexedDB and the in-memory store. */
export function summarize(data: ExportedData): StoreStats {
  const byType = { click: 0, impression: 0, rating: 0 };
  for (const e of data.events) byType[e.type] += 1;
  return {
    events: data.events.length,
    byType,
    states: data.states.length,
    stateBytes: jsonBytes(data.states),
    eventBytes: jsonBytes(data.events),
    artifactVersion: data.cachedModel?.version ?? null,
    artifactBytes: data.cachedModel?.files.reduce((sum, f) => sum + f.bytes, 0) ?? 0,
  };
}
