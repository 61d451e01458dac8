import type { CachedArtifact } from './artifacts';
import { summarize, type ExportedData } from './privacy';
import { latestVersion, MIGRATIONS, type StoredEvent, type StoredState } from './schema';
import type { Store } from './types';

/** What an in-memory store starts with: a copy of what IndexedDB held, when it had to be let go. */
export interface MemorySeed {
  readonly events?: readonly StoredEvent[];
  readonly states?: readonly StoredState[];
  readonly artifact?: CachedArtifact | undefined;
}

/**
 * The Store interface over plain memory, for when IndexedDB is unavailable
 * (some private modes) or had to be let go (another tab upgraded it, or the
 * quota is exhausted). Everything in it is gone when the worker stops.
 */
export function memoryStore(name: string, seed: MemorySeed = {}): Store {
  let events: StoredEvent[] = [...(seed.events ?? [])];
  let nextId = (events.at(-1)?.id ?? 0) + 1;
  const states = new Map((seed.states ?? []).map((s) => [s.version, s]));
  let artifact = seed.artifact;

  const exportAll = async (): Promise<ExportedData> => ({
    database: name,
    schemaVersion: latestVersion(MIGRATIONS),
    exportedAt: new Date().toISOString(),
    events: [...events],
    states: [...states.values()],
    cachedModel: artifact ? { version: artifact.version, files: Object.entries(artifact.files).map(([file, b]) => ({ name: file, bytes: b.byteLength })) } : null,
  });
  const clearAll = () => {
    events = [];
    states.clear();
    artifact = undefined;
  };

  return {
    name,
    async addEvents(added) {
      const stored = added.map((e) => ({ ...e, id: nextId++ }));
      events.push(...stored);
      return stored.map((e) => e.id);
    },
    events: async () => [...events],
    async clearEvents() {
      events = [];
    },
    async saveState(version, state, eventCount = 0) {
      states.set(version, { version, state, eventCount, savedAt: Date.now() });
    },
    loadState: async (version) => states.get(version),
    async clearState() {
      states.clear();
    },
    async putArtifact(version, files) {
      artifact = { version, files, verified: true };
    },
    currentArtifact: async () => artifact,
    async rememberBackend(version, backend) {
      if (artifact?.version === version) artifact = { ...artifact, backend };
    },
    async clearArtifacts() {
      const bytes = Object.values(artifact?.files ?? {}).reduce((sum, b) => sum + b.byteLength, 0);
      artifact = undefined;
      return bytes;
    },
    exportAll,
    stats: async () => summarize(await exportAll()),
    async evictOldest(fraction = 0.1) {
      const n = events.length === 0 ? 0 : Math.max(1, Math.ceil(events.length * fraction));
      events = events.slice(n);
      return { evicted: n, kept: events.length };
    },
    async forget() {
      clearAll();
    },
    close: () => {},
  };
}
