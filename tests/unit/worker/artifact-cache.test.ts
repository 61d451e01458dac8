import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/storage';
import { loadArtifact } from '../../../src/worker/artifact-cache';
import type { Fetch } from '../../../src/worker/download';
import { artifactLoader } from '../../../src/worker/loader';
import { tinyArtifact } from './fixtures/tiny-artifact';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MODEL_URL = 'https://x.test/m/model.json';

/** A fake server for one artifact: records requested file names; can tamper with the weights or be offline. */
async function server(seed: number, options: { tamper?: boolean; offline?: boolean } = {}) {
  const files = await tinyArtifact({ seed });
  const requests: string[] = [];
  const fetch: Fetch = async (url) => {
    const name = url.replace('https://x.test/m/', '');
    requests.push(name);
    if (options.offline) throw new TypeError('Failed to fetch');
    const body = files[name];
    if (!body) return new Response('', { status: 404, statusText: 'Not Found' });
    const bytes = body.slice();
    if (options.tamper && name === 'weights.bin') bytes[0] = bytes[0]! ^ 0xff;
    return new Response(bytes);
  };
  return { fetch, requests };
}

let n = 0;
const load = async (store: Awaited<ReturnType<typeof openStore>>, fetch: Fetch) => loadArtifact(store, MODEL_URL, artifactLoader, () => {}, fetch);

describe('loadArtifact', () => {
  it('downloads, verifies and caches; the same version then comes from the cache without shard downloads', async () => {
    const store = await openStore(`cache-${++n}`);
    const first = await server(1);
    const a = await load(store, first.fetch);
    expect(a.fromCache).toBe(false);
    expect(first.requests.sort()).toEqual(['catalog.json', 'model.json', 'weights.bin']);
    const again = await server(1);
    const b = await load(store, again.fetch);
    expect(b).toMatchObject({ version: a.version, fromCache: true });
    expect(again.requests).toEqual(['model.json']);
    const model = await (await artifactLoader.prepare(b.files, b.verified)).build();
    expect(model.catalog).toHaveLength(40);
    model.dispose();
    store.close();
  });

  it('starts from the cache offline', async () => {
    const store = await openStore(`cache-${++n}`);
    const a = await load(store, (await server(1)).fetch);
    const off = await load(store, (await server(1, { offline: true })).fetch);
    expect(off).toMatchObject({ version: a.version, fromCache: true });
    expect(off.warning).toContain(`Using cached model ${a.version}`);
    store.close();
  });

  it('refuses a tampered shard: nothing cached on a first visit, the old version kept otherwise', async () => {
    const store = await openStore(`cache-${++n}`);
    await expect(load(store, (await server(1, { tamper: true })).fetch)).rejects.toThrow(
      /"weights.bin" of model maml-[0-9a-f]+ failed verification: SHA-256 [0-9a-f]{64} .*expected [0-9a-f]{64}/,
    );
    expect(await store.currentArtifact()).toBeUndefined();
    const good = await load(store, (await server(1)).fetch);
    const kept = await load(store, (await server(2, { tamper: true })).fetch);
    expect(kept).toMatchObject({ version: good.version, fromCache: true });
    expect(kept.warning).toContain('failed verification');
    expect((await store.currentArtifact())?.version).toBe(good.version);
    store.close();
  });

  it('replaces the cached version with a verified new one', async () => {
    const store = await openStore(`cache-${++n}`);
    const v1 = await load(store, (await server(1)).fetch);
    const v2 = await load(store, (await server(2)).fetch);
    expect(v2.version).not.toBe(v1.version);
    expect(v2.fromCache).toBe(false);
    expect((await store.currentArtifact())?.version).toBe(v2.version);
    store.close();
  });

  it('hashes a cached copy once: stored by this runtime it is marked verified and built without hashing; an older record is hashed again', async () => {
    const store = await openStore(`cache-${++n}`);
    const fresh = await load(store, (await server(1)).fetch);
    expect(fresh).toMatchObject({ fromCache: false, verified: true });
    const cached = await load(store, (await server(1)).fetch);
    expect(cached).toMatchObject({ fromCache: true, verified: true });
    // Bytes flipped inside a verified record are not hashed again (the record says they were);
    // the decoder's structural checks still run. A record without the mark is hashed.
    const tampered = { ...cached.files, 'weights.bin': cached.files['weights.bin']!.slice(0) };
    new Uint8Array(tampered['weights.bin']!)[0]! ^= 0x01;
    const unhashed = await (await artifactLoader.prepare(tampered, true)).build();
    unhashed.dispose();
    await expect((await artifactLoader.prepare(tampered, false)).build()).rejects.toThrow(/"weights\.bin" of model maml-[0-9a-f]+ failed verification/);
    // A record written before the mark existed (an older runtime) reads as unverified.
    await store.putArtifact(fresh.version, fresh.files);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(store.name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('pointers', 'readwrite');
      const pointers = tx.objectStore('pointers');
      const get = pointers.get('current');
      get.onsuccess = () => {
        const { verified: _verified, ...old } = get.result as { verified?: string };
        pointers.put(old);
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    expect(await load(store, (await server(1)).fetch)).toMatchObject({ fromCache: true, verified: false });
    store.close();
  });

  it('says how to fix an offline first visit', async () => {
    const store = await openStore(`cache-${++n}`);
    await expect(load(store, (await server(1, { offline: true })).fetch)).rejects.toThrow('No model is cached on this device yet');
    store.close();
  });
});
