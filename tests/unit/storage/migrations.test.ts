import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openStore, type Migration } from '../../../src/storage';

/** Builds a v1 database with the raw IndexedDB API, as an older release of the app would have left it. */
function createV1Database(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      const events = db.createObjectStore('events', { keyPath: 'id', autoIncrement: true });
      events.createIndex('by-time', 'time');
      db.createObjectStore('state', { keyPath: 'version' });
      const artifacts = db.createObjectStore('artifacts', { keyPath: ['version', 'name'] });
      artifacts.createIndex('by-version', 'version');
      db.createObjectStore('pointers', { keyPath: 'key' });
      events.add({ type: 'click', itemId: 'old-item', time: 5, modelVersion: 'v0' });
    };
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error);
  });
}

describe('schema migrations', () => {
  it('opens a database an older release created at v1 and keeps its events', async () => {
    await createV1Database('migrate-a');
    const store = await openStore('migrate-a');
    expect((await store.events()).map((e) => e.itemId)).toEqual(['old-item']);
    store.close();
  });

  it('runs a later migration on a v1 database without losing data', async () => {
    await createV1Database('migrate-b');
    const seen: number[] = [];
    const v2: Migration = {
      version: 2,
      description: 'test: index events by item',
      up(_db, tx) {
        seen.push(2);
        (tx.objectStore('events') as unknown as { createIndex(n: string, k: string): void }).createIndex('by-item', 'itemId');
      },
    };
    const store = await openStore('migrate-b', { migrations: [...MIGRATIONS, v2] });
    expect(seen).toEqual([2]);
    expect((await store.exportAll()).schemaVersion).toBe(2);
    expect((await store.events()).map((e) => e.itemId)).toEqual(['old-item']);
    store.close();
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('migrate-b');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    expect([...raw.transaction('events').objectStore('events').indexNames]).toContain('by-item');
    raw.close();
  });

  it('refuses a migration list with a gap', async () => {
    const broken: Migration[] = [MIGRATIONS[0]!, { version: 3, description: 'gap', up() {} }];
    await expect(openStore('migrate-c', { migrations: broken })).rejects.toThrow('entry 1 has version 3, expected 2');
  });
});
