import type { IDBPDatabase } from 'idb';
import type { LocalrecDB, RememberedBackend } from './schema';

/** A complete cached artifact: the file bytes by relative name (model.json included). */
export interface CachedArtifact {
  readonly version: string;
  readonly files: Record<string, ArrayBuffer>;
  /** True when the pointer says the files were verified before they were stored (absent on records of older runtimes). */
  readonly verified?: boolean;
  /** The backend `auto` chose for this version on this device, when one was remembered. */
  readonly backend?: RememberedBackend;
}

/**
 * Stores a verified artifact (the caller checked every file's SHA-256: the
 * pointer records it, so a later start need not hash the bytes again) and
 * makes it current in ONE transaction, so a
 * crash mid-write leaves the previous version current; older versions' files
 * are dropped in the same transaction.
 */
export async function putArtifact(db: IDBPDatabase<LocalrecDB>, version: string, files: Record<string, ArrayBuffer>): Promise<void> {
  const names = Object.keys(files);
  if (names.length === 0) throw new Error(`putArtifact("${version}") got no files: pass model.json and its weight and catalog files.`);
  const tx = db.transaction(['artifacts', 'pointers'], 'readwrite');
  const artifacts = tx.objectStore('artifacts');
  for (const key of await artifacts.getAllKeys()) {
    if (key[0] !== version) void artifacts.delete(key);
  }
  for (const name of names) void artifacts.put({ version, name, bytes: files[name]! });
  void tx.objectStore('pointers').put({ key: 'current', version, names, savedAt: Date.now(), verified: 'sha256' });
  await tx.done;
}

/** The current verified artifact, or undefined when none is cached (or a file is missing). */
export async function currentArtifact(db: IDBPDatabase<LocalrecDB>): Promise<CachedArtifact | undefined> {
  const tx = db.transaction(['artifacts', 'pointers'], 'readonly');
  const pointer = await tx.objectStore('pointers').get('current');
  if (!pointer) return undefined;
  // All reads issued at once: IndexedDB serves them in one pass instead of a round trip per file.
  const read = await Promise.all(pointer.names.map((name) => tx.objectStore('artifacts').get([pointer.version, name])));
  await tx.done;
  const files: Record<string, ArrayBuffer> = {};
  for (const [i, name] of pointer.names.entries()) {
    const file = read[i];
    if (!file) return undefined;
    files[name] = file.bytes;
  }
  return { version: pointer.version, files, verified: pointer.verified === 'sha256', ...(pointer.backend ? { backend: pointer.backend } : {}) };
}

/** Remembers `auto`'s backend choice with the cached artifact of `version` (nothing when another version is current). */
export async function rememberBackend(db: IDBPDatabase<LocalrecDB>, version: string, choice: RememberedBackend): Promise<void> {
  const tx = db.transaction('pointers', 'readwrite');
  const pointer = await tx.store.get('current');
  if (pointer?.version === version) await tx.store.put({ ...pointer, backend: choice });
  await tx.done;
}

/** Drops the cached artifact (files and pointer): it is public and downloaded again. Returns the bytes freed. */
export async function clearArtifacts(db: IDBPDatabase<LocalrecDB>): Promise<number> {
  const tx = db.transaction(['artifacts', 'pointers'], 'readwrite');
  const files = await tx.objectStore('artifacts').getAll();
  void tx.objectStore('artifacts').clear();
  void tx.objectStore('pointers').clear();
  await tx.done;
  return files.reduce((sum, f) => sum + f.bytes.byteLength, 0);
}
