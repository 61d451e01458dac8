import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type NewEvent, type Store } from '../../../src/storage';

let counter = 0;
const freshName = () => `localrec-test-${process.pid}-${++counter}`;
const bytes = (...values: number[]) => new Uint8Array(values).buffer;
const click = (itemId: string, time: number): NewEvent => ({ type: 'click', itemId, time, modelVersion: 'v1' });

let open: Store[] = [];
afterEach(async () => {
  for (const s of open) s.close();
  open = [];
});
async function store(name = freshName()) {
  const s = await openStore(name);
  open.push(s);
  return s;
}

describe('events', () => {
  it('appends events with increasing ids and returns them oldest first', async () => {
    const s = await store();
    const ids = await s.addEvents([click('a', 1), { type: 'impression', itemId: 'b', time: 2, modelVersion: 'v1' }]);
    const more = await s.addEvents([{ type: 'rating', itemId: 'c', value: 4.5, time: 3, modelVersion: 'v1' }]);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    expect(more[0]).toBeGreaterThan(ids[1]!);
    const events = await s.events();
    expect(events.map((e) => [e.type, e.itemId, e.value])).toEqual([
      ['click', 'a', undefined],
      ['impression', 'b', undefined],
      ['rating', 'c', 4.5],
    ]);
  });

  it('survives closing and reopening', async () => {
    const name = freshName();
    const first = await openStore(name);
    await first.addEvents([click('a', 1)]);
    first.close();
    const again = await store(name);
    expect((await again.events()).map((e) => e.itemId)).toEqual(['a']);
  });
});

describe('adapted state', () => {
  it('is kept per model version', async () => {
    const s = await store();
    await s.saveState('v1', { user: [1, 2], pop: 0.5 }, 3);
    await s.saveState('v2', { user: [9], pop: 1 }, 1);
    expect((await s.loadState('v1'))?.state).toEqual({ user: [1, 2], pop: 0.5 });
    expect((await s.loadState('v1'))?.eventCount).toBe(3);
    expect(await s.loadState('v3')).toBeUndefined();
  });
});

describe('artifact cache', () => {
  it('returns nothing before any artifact is stored', async () => {
    expect(await (await store()).currentArtifact()).toBeUndefined();
  });

  it('replaces the current version and drops the old files', async () => {
    const s = await store();
    await s.putArtifact('v1', { 'model.json': bytes(1), 'weights.bin': bytes(2, 3) });
    await s.putArtifact('v2', { 'model.json': bytes(4) });
    const current = await s.currentArtifact();
    expect(current?.version).toBe('v2');
    expect(Object.keys(current!.files)).toEqual(['model.json']);
    expect([...new Uint8Array(current!.files['model.json']!)]).toEqual([4]);
    const exported = await s.exportAll();
    expect(exported.cachedModel).toEqual({ version: 'v2', files: [{ name: 'model.json', bytes: 1 }] });
  });

  it('refuses an empty file set with a message naming the version', async () => {
    await expect((await store()).putArtifact('v9', {})).rejects.toThrow('putArtifact("v9") got no files');
  });
});

describe('privacy', () => {
  it('exports everything and counts it', async () => {
    const s = await store();
    await s.addEvents([click('a', 1), click('b', 2), { type: 'impression', itemId: 'c', time: 3, modelVersion: 'v1' }]);
    await s.saveState('v1', { user: [0.1], pop: 0 }, 2);
    await s.putArtifact('v1', { 'model.json': bytes(1, 2, 3) });
    const data = await s.exportAll();
    expect(data.events).toHaveLength(3);
    expect(data.states).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    const st = await s.stats();
    expect(st).toMatchObject({ events: 3, byType: { click: 2, impression: 1, rating: 0 }, states: 1, artifactVersion: 'v1', artifactBytes: 3 });
    expect(st.eventBytes).toBeGreaterThan(0);
  });

  it('forget() deletes the database', async () => {
    const name = freshName();
    const s = await openStore(name);
    await s.addEvents([click('a', 1)]);
    await s.forget();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(name);
    const again = await store(name);
    expect(await again.events()).toEqual([]);
  });
});
