import { parseBackendPreference } from '../backend/names';
import { registerSupervisor } from './internals';
import { Supervisor } from './supervisor';
import type { Recommender, RecommenderOptions } from './types';
import { checkCount, checkItemId, checkItemIds, checkOptionalMs, checkRating, describeValue } from './validate';

export type { Recommender, RecommenderOptions } from './types';

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
 * const info = await rec.ready; // { backend: 'wasm', items: 2000, personal: false, ... }
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
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
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
