import { parseBackendPreference, type BackendPreference } from '../backend/names';
import type { ExportedData, StoreStats } from '../storage/privacy';
import type { ClickResult, EventMap, RankedItem, ReadyInfo } from '../worker/messages';
import { registerLink } from './internals';
import { WorkerLink } from './link';

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
  const modelUrl = new URL(options.modelUrl, location.href).href;
  const worker = startWorker(options.workerUrl);
  const link = new WorkerLink(worker);
  let closed = false;
  const stop = (reason: string) => {
    closed = true;
    link.fail(new Error(`This recommender was ${reason}: create a new one with createRecommender().`));
    worker.terminate();
  };

  const ready = link.request('init', {
    modelUrl,
    backend,
    dbName: options.dbName ?? 'localrec',
    ...(options.selectionBudgetMs === undefined ? {} : { budgetMs: options.selectionBudgetMs }),
  });
  // Callers who never await `ready` should not see an unhandled rejection; the error still reaches them on use.
  ready.catch(() => {});
  const afterReady = async () => {
    await ready;
  };

  const recommender: Recommender = {
    ready,
    async recommend({ count, exclude }) {
      await afterReady();
      return link.request('recommend', { count, ...(exclude ? { exclude: [...exclude] } : {}) });
    },
    async click(itemId) {
      await afterReady();
      return link.request('click', { itemId });
    },
    async impressions(itemIds) {
      await afterReady();
      await link.request('impressions', { itemIds: [...itemIds] });
    },
    async rate(itemId, value) {
      await afterReady();
      await link.request('rate', { itemId, value });
    },
    on: (type, listener) => link.on(type, listener),
    async reset() {
      await afterReady();
      await link.request('reset', {});
    },
    async exportData() {
      await afterReady();
      return link.request('exportData', {});
    },
    async stats() {
      await afterReady();
      return link.request('stats', {});
    },
    async forget() {
      await ready.catch(() => {});
      await link.request('forget', {});
      stop('forgotten');
    },
    async close() {
      if (closed) return;
      await link.request('close', {}).catch(() => {});
      stop('closed');
    },
  };
  registerLink(recommender, link);
  return recommender;
}
