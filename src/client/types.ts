// The page-side API's types, apart from its implementation so that diagnostics
// (internals.ts) can name a Recommender without importing recommender.ts.
import type { BackendPreference } from '../backend/names';
import type { ClickResult, EventMap, ExportedData, RankedItem, ReadyInfo, StoreStats } from '../worker/messages';

export interface RecommenderOptions {
  /** URL of the artifact's model.json, e.g. '/models/demo/model.json'. */
  readonly modelUrl: string;
  /**
   * tfjs backend. 'auto' (default) tries wasm, webgpu, webgl, cpu in turn, timing one real
   * adaptation + ranking on each that starts: it stops at the first under 8 ms a click
   * (wasm, on most devices and catalogs below ~100k items; from 100,000 items it times
   * 'webgpu', the WGSL kernel, all the same), else keeps the fastest it timed within
   * `selectionBudgetMs`. 'webgpu' runs clicks on localrec's WGSL kernel. A format v2 model
   * (int8) is tried on cpu, then webgpu (wasm would run the same host kernel). The choice is
   * remembered with the cached model version and reused on the next start while it works.
   */
  readonly backend?: BackendPreference;
  /** IndexedDB database name; one per recommender on a site. Default 'localrec' (storage's DEFAULT_DB_NAME). */
  readonly dbName?: string;
  /** Worker script URL, when the bundled one cannot be used (e.g. a CDN build). */
  readonly workerUrl?: string | URL;
  /** Time 'auto' may spend timing more backends once one works, ms. Default 4,000 (backend's SELECTION_BUDGET_MS). */
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
