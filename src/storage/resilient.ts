import { memoryStore, type MemorySeed } from './memory';
import { EventMirror } from './mirror';
import { describeRoomMade, isQuotaError, makeRoom, type RoomMade } from './quota';
import { deleteStore, openStore, type OpenOptions } from './store';
import type { ResilientStore, StorageMode, StorageNotice, Store } from './types';

/** What a resilient store tells its owner, besides the Store interface. */
export interface ResilientOptions extends Pick<OpenOptions, 'migrations'> {
  readonly onNotice?: (notice: StorageNotice) => void;
  /** This page added or removed stored events (other tabs should re-read them). */
  readonly onEventsChanged?: () => void;
  /** Another tab deleted the database (its forget()): the events this page knew are gone. */
  readonly onDeleted?: () => void;
  /** Keep a copy of the events instead of reading them all back each time; the owner must then call invalidate() when other tabs write. */
  readonly mirrorEvents?: boolean;
}

/**
 * Opens the visitor's database and never fails for storage reasons: when
 * IndexedDB is unavailable (some private modes), blocked by another tab's older
 * connection, upgraded by another tab, or full even after eviction, the store
 * carries on in memory and `onNotice` says so. A blocked open is adopted once
 * it completes: what was kept in memory meanwhile is written to it.
 */
export async function openResilientStore(name: string, options: ResilientOptions = {}): Promise<ResilientStore> {
  const store = new FallbackStore(name, options);
  await store.open();
  return store;
}

class FallbackStore implements ResilientStore {
  mode: StorageMode = 'indexeddb';
  private store: Store;
  /** Every operation runs in turn, so a switch of store never interleaves with a write. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly mirror: EventMirror;

  constructor(
    readonly name: string,
    private readonly options: ResilientOptions,
  ) {
    this.store = memoryStore(name);
    this.mirror = new EventMirror(options.mirrorEvents ?? false);
  }

  async open(): Promise<void> {
    let reportBlocked: (oldVersion: number, newVersion: number) => void = () => {};
    const blocked = new Promise<[number, number]>((resolve) => (reportBlocked = (o, n) => resolve([o, n])));
    const opening = openStore(this.name, {
      ...(this.options.migrations ? { migrations: this.options.migrations } : {}),
      onBlocked: (o, n) => reportBlocked(o, n),
      onVersionChange: (newVersion) => void this.stepAside(newVersion),
      onTerminated: () => void this.run(async () => this.toMemory(undefined, 'The browser closed the IndexedDB connection (site data cleared?): events are kept in memory for this page only.')),
    });
    try {
      const first = await Promise.race([opening, blocked]);
      if (!Array.isArray(first)) {
        this.store = first;
        return;
      }
      const [oldVersion, newVersion] = first;
      this.toMemory(undefined, `Upgrading the stored data from schema v${oldVersion} to v${newVersion} is blocked by another tab of this site that keeps it open: events are kept in memory until that tab closes or reloads.`);
      const failed = (error: unknown) => this.notify(`The blocked storage upgrade failed (${(error as Error).message}): events stay in memory for this page.`);
      opening.then((store) => this.run(() => this.adopt(store)).catch(failed), failed);
    } catch (error) {
      this.toMemory(undefined, `IndexedDB is unavailable here (${(error as Error).message}): events are kept in memory for this page only, so rankings adapt but are forgotten on reload. Private browsing modes do this.`);
    }
  }

  addEvents: Store['addEvents'] = (events) =>
    this.write(async (s) => {
      const ids = await s.addEvents(events);
      this.mirror.added(events, ids);
      return ids;
    }, true);
  saveState: Store['saveState'] = (version, state, eventCount) => this.write((s) => s.saveState(version, state, eventCount), false);
  events: Store['events'] = () => this.run((s) => this.mirror.read(() => s.events()));
  loadState: Store['loadState'] = (version) => this.run((s) => s.loadState(version));
  clearState: Store['clearState'] = () => this.run((s) => s.clearState());
  currentArtifact: Store['currentArtifact'] = () => this.run((s) => s.currentArtifact());
  clearArtifacts: Store['clearArtifacts'] = () => this.run((s) => s.clearArtifacts());
  rememberBackend: Store['rememberBackend'] = (version, choice) => this.run((s) => s.rememberBackend(version, choice));
  exportAll: Store['exportAll'] = () => this.run((s) => s.exportAll());
  stats: Store['stats'] = () => this.run((s) => s.stats());
  evictOldest: Store['evictOldest'] = (fraction) =>
    this.run(async (s) => {
      const eviction = await s.evictOldest(fraction);
      this.mirror.invalidate();
      this.options.onEventsChanged?.();
      return eviction;
    });

  clearEvents: Store['clearEvents'] = () =>
    this.run(async (s) => {
      await s.clearEvents();
      this.mirror.cleared();
      this.options.onEventsChanged?.();
    });

  putArtifact: Store['putArtifact'] = (version, files) =>
    this.run(async (s) => {
      try {
        await s.putArtifact(version, files);
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        // The model is public and can be downloaded again: never evict the visitor's events for it.
        const bytes = Object.values(files).reduce((sum, b) => sum + b.byteLength, 0);
        this.notify(`Model ${version} (${bytes} bytes) does not fit in this site's storage quota: it runs from memory and is downloaded again on the next visit.`);
      }
    });

  forget: Store['forget'] = () =>
    this.run(async (s) => {
      await s.forget();
      this.mirror.invalidate();
      // In memory mode the database may still hold older events: delete it too, without waiting on other tabs.
      if (this.mode === 'memory') await deleteStore(this.name).catch(() => {});
    });

  invalidate(): void {
    this.mirror.invalidate();
  }

  close(): void {
    this.closed = true;
    this.store.close();
  }

  private run<T>(op: (store: Store) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => op(this.store));
    this.queue = result.catch(() => {});
    return result;
  }

  /** A write under the quota policy (quota.ts): make room and retry; when no room can be made, carry on in memory. */
  private write<T>(op: (store: Store) => Promise<T>, changesEvents: boolean): Promise<T> {
    return this.run(async () => {
      const made: RoomMade = { modelBytes: 0, evicted: 0, rounds: 0 };
      for (;;) {
        try {
          const result = await op(this.store);
          if (this.mode === 'indexeddb' && (made.modelBytes > 0 || made.evicted > 0)) this.notify(describeRoomMade(made, (await this.store.events()).length), made.evicted);
          if (changesEvents || made.evicted > 0) this.options.onEventsChanged?.();
          return result;
        } catch (error) {
          if (!isQuotaError(error) || this.mode === 'memory') throw error;
          this.mirror.invalidate(); // the policy may evict events
          if (!(await makeRoom(this.store, made))) {
            this.toMemory(
              await snapshot(this.store),
              `Storage quota exceeded${made.evicted > 0 ? ` even after dropping the ${made.evicted} oldest events` : ''}: what is stored stays, and new events are kept in memory for this page only. Free space for this site, then reload.`,
            );
          }
        }
      }
    });
  }

  /** Another tab upgrades (or deletes) the database: copy what we hold, then close so it is not blocked. */
  private stepAside(newVersion: number | null): Promise<void> {
    return this.run(async (current) => {
      if (this.mode === 'memory') return;
      if (newVersion === null) {
        this.toMemory(undefined, 'Another tab of this site deleted the stored data (forget): this page carries on in memory from the meta-initialization.');
        this.options.onDeleted?.();
        return;
      }
      this.toMemory(await snapshot(current), `Another tab of this site upgraded the stored data to schema v${newVersion}: this page carries on in memory (its new clicks are not saved); reload it to use the new version.`);
    });
  }

  /** The blocked open finally went through: save what memory collected meanwhile, then use IndexedDB. */
  private async adopt(store: Store): Promise<void> {
    if (this.closed) {
      store.close();
      return;
    }
    const memory = this.store;
    const events = await memory.events();
    if (events.length > 0) await store.addEvents(events.map(({ id: _id, ...event }) => event));
    for (const s of (await memory.exportAll()).states) await store.saveState(s.version, s.state, s.eventCount);
    const artifact = await memory.currentArtifact();
    if (artifact && !(await store.currentArtifact())) await store.putArtifact(artifact.version, artifact.files).catch(() => {});
    this.mirror.invalidate();
    this.store = store;
    this.mode = 'indexeddb';
    this.notify(`The storage upgrade went through: ${events.length} events kept in memory meanwhile are now saved.`);
    if (events.length > 0) this.options.onEventsChanged?.();
  }

  private toMemory(seed: MemorySeed | undefined, reason: string): void {
    this.mirror.invalidate();
    this.store.close();
    this.store = memoryStore(this.name, seed);
    this.mode = 'memory';
    this.notify(reason);
  }

  private notify(reason: string, evicted?: number): void {
    this.options.onNotice?.({ storage: this.mode, reason, ...(evicted === undefined ? {} : { evicted }) });
  }
}

/** Everything a store holds that the visitor would miss: events, adapted states, the cached model. */
async function snapshot(store: Store): Promise<MemorySeed> {
  return { events: await store.events(), states: (await store.exportAll()).states, artifact: await store.currentArtifact() };
}
