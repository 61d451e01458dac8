import { describe, expect, it } from 'vitest';
import type { ResilientStore, StorageNotice } from '../../src/storage';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { openTab } from './support/tabs';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

declare global {
  interface Window {
    held: IDBDatabase;
    blockedStore: ResilientStore;
    notices: StorageNotice[];
  }
}

/** Opens `name` at `version` with the raw API, as a newer release in another tab would (adds a store). */
function upgradeTo([name, version]: [string, number]) {
  return new Promise<{ version: number; events: number; blocked: number }>((resolve, reject) => {
    const request = indexedDB.open(name, version);
    let blocked = 0;
    request.onupgradeneeded = () => request.result.createObjectStore(`added-in-v${version}`);
    request.onblocked = () => (blocked += 1);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const count = request.result.transaction('events').objectStore('events').count();
      count.onsuccess = () => resolve({ version: request.result.version, events: count.result, blocked });
    };
  });
}

describe('schema upgrades across tabs', () => {
  it('an open engine steps aside when another tab upgrades the schema, and keeps ranking in memory', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'upgrade' });
    const before = await page.evaluate(async () => {
      for (const id of ['i2', 'i5']) await window.rec.click(id);
      return window.rec.recommend({ count: 10 });
    });

    // A newer release in another tab: its upgrade must not wait for this tab (it would hang until this tab closed).
    const newer = await openTab(context, suite.harness.server.url);
    const upgraded = await newer.evaluate(upgradeTo, ['upgrade', 2] as [string, number]);
    expect(upgraded).toMatchObject({ version: 2, events: 2 });

    await page.waitForFunction(() => window.log.storage.length > 0);
    const notice = await page.evaluate(() => window.log.storage[0]!);
    expect(notice.storage).toBe('memory');
    expect(notice.reason).toContain('Another tab of this site upgraded the stored data to schema v2');
    const after = await page.evaluate(async () => {
      const top = await window.rec.recommend({ count: 10 });
      const click = await window.rec.click('i8');
      return { top, superseded: click.superseded, events: (await window.rec.exportData()).events.map((e) => e.itemId) };
    });
    expect(after.top.map((i) => i.id)).toEqual(before.map((i) => i.id));
    expect(after.superseded).toBe(false);
    // In memory: the copied events plus the new click; the upgraded database is left alone.
    expect(after.events).toEqual(['i2', 'i5', 'i8']);
    expect((await newer.evaluate(upgradeTo, ['upgrade', 2] as [string, number])).events).toBe(2);
    await context.close();
  });

  it('an upgrade blocked by another tab reports it, works in memory, and saves to IndexedDB once unblocked', async () => {
    const { context, page: older } = await suite.harness.newPage();
    // An older release's tab: holds the v1 database open and ignores requests to close it.
    await older.evaluate(async () => {
      const { openStore } = await window.importModule<typeof import('../../src/storage')>('/src/storage/index.ts');
      (await openStore('blocked')).close();
      window.held = await new Promise<IDBDatabase>((resolve) => {
        const request = indexedDB.open('blocked', 1);
        request.onsuccess = () => resolve(request.result);
      });
    });

    const newer = await openTab(context, suite.harness.server.url);
    const opened = await newer.evaluate(async () => {
      const storage = await window.importModule<typeof import('../../src/storage')>('/src/storage/index.ts');
      const v2 = {
        version: 2,
        description: 'test: a newer schema',
        up: (db: unknown) => (db as IDBDatabase).createObjectStore('added-in-v2'),
      };
      window.notices = [];
      window.blockedStore = await storage.openResilientStore('blocked', {
        migrations: [...storage.MIGRATIONS, v2],
        onNotice: (n) => window.notices.push(n),
      });
      await window.blockedStore.addEvents([{ type: 'click', itemId: 'i1', time: 1, modelVersion: 'v' }]);
      return { mode: window.blockedStore.mode, notices: [...window.notices] };
    });
    // Opening did not hang: it reported the block and went on in memory.
    expect(opened.mode).toBe('memory');
    expect(opened.notices).toHaveLength(1);
    expect(opened.notices[0]!.reason).toContain('from schema v1 to v2 is blocked by another tab of this site that keeps it open');

    await older.evaluate(() => window.held.close());
    await newer.waitForFunction(() => window.blockedStore.mode === 'indexeddb');
    const adopted = await newer.evaluate(async () => ({
      events: (await window.blockedStore.events()).map((e) => e.itemId),
      schema: (await window.blockedStore.exportAll()).schemaVersion,
      notice: window.notices.at(-1)!,
    }));
    expect(adopted.events).toEqual(['i1']);
    expect(adopted.schema).toBe(2);
    expect(adopted.notice).toMatchObject({ storage: 'indexeddb' });
    expect(adopted.notice.reason).toContain('1 events kept in memory meanwhile are now saved');
    await context.close();
  });
});
