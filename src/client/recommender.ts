import { parseBackendPreference, type BackendPreference } from '../backend/names';
import type { ExportedData, StoreStats } from '../storage/privacy';
import type { ClickResult, EventMap, RankedItem, ReadyInfo } from '../worker/messages';
import { registerSupervisor } from './internals';
import { Supervisor } from './supervisor';
import { checkCount, checkItemId, checkItemIds, checkOptionalMs, checkRating, describeValue } from './validate';

export interface RecommenderOptions {
  /** URL of the artifact's model.json, e.g. '/models/demo/model.json'. */
  readonly modelUrl: string;
  /** tfjs backend; 'auto' (default) times each that works and keeps the fastest. */
  readonly backend?: BackendPreference;
  /** IndexedDB database name; one per recommender on a site. Default 'localrec'. */
  readonly dbName?: string;
  /** Worker script URL, when the bundled one cannot be used (e.g. a CDN build). */
  readonly workerUrl?: string | URL;
  /** Time budget for 'auto' backend selection, ms. */
  readonly selectionBudgetMs?: number;
  /** A model download fails after this long without receiving a byte, ms (then a cached model is used, if any). Default 30,000. */
  readonly downloadTimeoutMs?: number;
}

/** A recommender running in a dedicated worker. Every method returns a Promise that rejects with an Error from the worker. */
export interface Recommender {
  /** Resolves once the model is loaded and a backend chosen; rejects with the reason otherwise. */
  readonly ready: Promise<ReadyInfo>;
  /** The top `count` items for this visitor, best first. Clicked items stay in unless listed in `exclude` ('ranking' events leave them out). */
  recommend(options: { count: number; exclude?: readonly string[] }): Promise<RankedItem[]>;
  /** Records a click, adapts on it and pushes 'adapt' and 'ranking' events. */
  click(itemId: string): Promise<ClickResult>;
  /** Records items shown but not clicked (negatives for the next adaptation). */
  impressions(itemIds: readonly string[]): Promise<void>;
  /** Records an explicit rating from 1 to 5 and adapts (4–5 count as clicks, 1–2 as impressions). */
  rate(itemId: string, value: number): Promise<void>;
  /** Subscribes to worker events; returns the unsubscribe function. */
  on<K extends keyof EventMap>(type: K, listener: (data: EventMap[K]) => void): () => void;
  /** Back to the meta-initialization: forgets events and adapted parameters (keeps the cached model). */
  reset(): Promise<void>;
  /** Everything stored about the visitor, as JSON. */
  exportData(): Promise<ExportedData>;
  /** Counts and sizes of what is stored, for a privacy panel. */
  stats(): Promise<StoreStats>;
  /** Deletes the whole database (events, parameters, cached model) and stops the worker. */
  forget(): Promise<void>;
  /** Stops the worker. */
  close(): Promise<void>;
}

function startWorker(workerUrl: string | URL | undefined): Worker {
  // The literal `new URL(..., import.meta.url)` is what lets Vite find and bundle the worker.
  if (workerUrl === undefined) return new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' });
  return new Worker(workerUrl, { type: 'module' });
}

/**
 * Starts a recommender: a worker that downloads (or reads from cache) the model and adapts it on-device.
 *
 * ```ts
 * const rec = createRecommender({ modelUrl: '/models/demo/model.json' });
 * const info = await rec.ready; // { backend: 'webgpu', items: 2000, personal: false, ... }
 * rec.on('ranking', ({ items }) => render(items));
 * const top = await rec.recommend({ count: 10 });
 * await rec.impressions(top.map((i) => i.id));
 * await rec.click(top[3].id); // adapts, then pushes a new 'ranking'
 * ```
 */
export function createRecommender(options: RecommenderOptions): Recommender {
  if (!options || typeof options.modelUrl !== 'string' || options.modelUrl === '') {
    throw new Error('createRecommender needs { modelUrl }: the URL of a model.json, e.g. "/models/demo/model.json".');
  }
  const backend = parseBackendPreference(options.backend);
  const budgetMs = checkOptionalMs(options.selectionBudgetMs, 'selectionBudgetMs');
  const downloadTimeoutMs = checkOptionalMs(options.downloadTimeoutMs, 'downloadTimeoutMs');
  if (options.dbName !== undefined && (typeof options.dbName !== 'string' || options.dbName === '')) {
    throw new TypeError(`createRecommender: dbName must be a non-empty string, got ${describeValue(options.dbName)}.`);
  }
  const modelUrl = new URL(options.modelUrl, location.href).href;
  // The supervisor restarts the worker if it crashes or is terminated; calls below follow it.
  const supervisor = new Supervisor(() => startWorker(options.workerUrl), {
    modelUrl,
    backend,
    dbName: options.dbName ?? 'localrec',
    ...(budgetMs === undefined ? {} : { budgetMs }),
    ...(downloadTimeoutMs === undefined ? {} : { downloadTimeoutMs }),
  });
  let closed = false;
  const stop = (reason: string) => {
    closed = true;
    supervisor.stop(new Error(`This recommender was ${reason}: create a new one with createRecommender().`));
  };
  const ready = supervisor.ready;
  // Callers who never await `ready` should not see an unhandled rejection; the error still reaches them on use.
  ready.catch(() => {});
  const afterReady = async () => {
    await ready;
  };

  const recommender: Recommender = {
    ready,
    // Arguments are checked before waiting for the model: a bad call fails at once.
    async recommend(options) {
      if (typeof options !== 'object' || options === null) throw new TypeError(`recommend(options): expected { count }, got ${describeValue(options)}, e.g. recommend({ count: 10 }).`);
      const count = checkCount(options.count, 'recommend({ count })');
      const exclude = options.exclude === undefined ? undefined : checkItemIds(options.exclude, 'recommend({ exclude })');
      await afterReady();
      return supervisor.request('recommend', { count, ...(exclude ? { exclude } : {}) });
    },
    async click(itemId) {
      checkItemId(itemId, 'click(itemId)');
      await afterReady();
      return supervisor.request('click', { itemId });
    },
    async impressions(itemIds) {
      const ids = checkItemIds(itemIds, 'impressions(itemIds)');
      await afterReady();
      await supervisor.request('impressions', { itemIds: ids });
    },
    async rate(itemId, value) {
      checkItemId(itemId, 'rate(itemId, value)');
      checkRating(value, 'rate(itemId, value)');
      await afterReady();
      await supervisor.request('rate', { itemId, value });
    },
    on(type, listener) {
      if (typeof listener !== 'function') throw new TypeError(`on("${String(type)}", listener): listener must be a function, got ${describeValue(listener)}.`);
      return supervisor.events.on(type, listener);
    },
    async reset() {
      await afterReady();
      await supervisor.request('reset', {});
    },
    async exportData() {
      await afterReady();
      return supervisor.request('exportData', {});
    },
    async stats() {
      await afterReady();
      return supervisor.request('stats', {});
    },
    async forget() {
      await ready.catch(() => {});
      await supervisor.request('forget', {});
      stop('forgotten');
    },
    async close() {
      if (closed) return;
      await supervisor.request('close', {}).catch(() => {});
      stop('closed');
    },
  };
  registerSupervisor(recommender, supervisor);
  return recommender;
}
