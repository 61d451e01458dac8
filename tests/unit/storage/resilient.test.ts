import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { openResilientStore, openStore, type NewEvent, type StorageNotice } from '../../../src/storage';

const click = (itemId: string): NewEvent => ({ type: 'click', itemId, time: 1, modelVersion: 'v' });

describe('openResilientStore', () => {
  it('mirrors the events it wrote; another writer is seen after invalidate()', async () => {
    const store = await openResilientStore('mirror', { mirrorEvents: true });
    expect(await store.events()).toEqual([]); // read once: from now on the copy is kept up to date
    await store.addEvents([click('a'), click('b')]);
    const other = await openStore('mirror');
    await other.addEvents([click('c')]);
    // The copy does not know about the other writer (a tab announces it over BroadcastChannel)…
    expect((await store.events()).map((e) => e.itemId)).toEqual(['a', 'b']);
    store.invalidate();
    expect((await store.events()).map((e) => e.itemId)).toEqual(['a', 'b', 'c']);
    await store.addEvents([click('d')]);
    expect((await store.events()).map((e) => [e.id, e.itemId])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
    await store.clearEvents();
    expect(await store.events()).toEqual([]);
    other.close();
    store.close();
  });

  it('carries on in memory when IndexedDB refuses to open, and says so', async () => {
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    });
    const notices: StorageNotice[] = [];
    const store = await openResilientStore('refused', { onNotice: (n) => notices.push(n) });
    open.mockRestore();
    expect(store.mode).toBe('memory');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.reason).toContain('IndexedDB is unavailable here');
    await store.addEvents([click('a')]);
    await store.saveState('v', { user: [1], pop: 0 }, 1);
    expect(await store.stats()).toMatchObject({ events: 1, states: 1 });
    expect((await store.exportAll()).events.map((e) => e.itemId)).toEqual(['a']);
    store.close();
  });
});
