// The one file with the worker's message types: what the page may ask, what
// the worker answers, and the events it pushes. Everything here is plain data
// (structured-clone safe); errors travel as { name, message, stack }.
//
// The protocol is written out here rather than borrowed from the modules that
// produce the data (backend selection, storage): a refactor there then fails
// to compile where the worker hands its data over, instead of silently
// changing what the page receives.
import type { ClickTimings } from './click-timings';
import type { StartupTimes } from './startup';
import type { BackendName, BackendPreference } from '../backend/names';

/** One backend's result in a selection: probe time in ms, or why it was not used. */
export interface BackendTiming {
  readonly name: BackendName;
  /** Time of one adaptation + ranking after a warm-up run (the fastest of 3 in `auto`), ms; null when not measured. */
  readonly ms: number | null;
  readonly error?: string;
}

/** Where the visitor's events live right now. */
export type StorageMode = 'indexeddb' | 'memory';

/** Told to the page whenever storage had to change course. */
export interface StorageNotice {
  readonly storage: StorageMode;
  /** What happened and what it means for the visitor, in a sentence or two. */
  readonly reason: string;
  /** Events dropped, oldest first, to fit the quota; absent otherwise. */
  readonly evicted?: number;
}

/** What a visitor did: clicked, was shown (impression = shown, not clicked), or rated an item. */
export type StoredEventType = 'click' | 'impression' | 'rating';

/** One stored visitor event. `time` in ms since the epoch. */
export interface StoredEvent {
  readonly id: number;
  readonly type: StoredEventType;
  readonly itemId: string;
  /** The rating for 'rating' events; absent otherwise. */
  readonly value?: number;
  readonly time: number;
  /** The model version that was live when the event happened. */
  readonly modelVersion: string;
}

/** Adapted parameters stored for one model version. */
export interface StoredState {
  readonly version: string;
  readonly state: unknown;
  /** How many events the state was adapted on. */
  readonly eventCount: number;
  readonly savedAt: number;
}

/** Everything stored about the visitor, as plain JSON (artifact files are listed, not dumped: they are the public model). */
export interface ExportedData {
  readonly database: string;
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly events: StoredEvent[];
  readonly states: StoredState[];
  readonly cachedModel: { readonly version: string; readonly files: { name: string; bytes: number }[] } | null;
}

/** Counts and sizes for a privacy panel. Bytes are approximate for JSON values. */
export interface StoreStats {
  readonly events: number;
  readonly byType: { readonly click: number; readonly impression: number; readonly rating: number };
  readonly states: number;
  readonly stateBytes: number;
  readonly eventBytes: number;
  readonly artifactVersion: string | null;
  readonly artifactBytes: number;
}

/** An item as the page sees it, with its score under the visitor's current model. */
export interface RankedItem {
  readonly id: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly score: number;
  /** The item's page, when the catalog has one (items.csv `url`; http(s) or a path on the site). */
  readonly url?: string;
  /** The item's picture, when the catalog has one (items.csv `image`). */
  readonly image?: string;
}

/** Running prequential quality of the session: each click ranked before adapting on it. */
export interface SessionMetrics {
  readonly clicks: number;
  /** Share of clicks whose item was in the top 10 before the click, 0..1. */
  readonly hr10: number;
  /** Mean reciprocal rank of clicked items, 0..1. */
  readonly mrr: number;
  /** 1-based rank of the last clicked item before adapting on it; null before any click. */
  readonly lastRank: number | null;
}

/** What `ready` resolves with. */
export interface ReadyInfo {
  readonly modelVersion: string;
  readonly algorithm: string;
  /** Catalog size, items. */
  readonly items: number;
  readonly backend: BackendName;
  /**
   * What runs the clicks on it: "wgsl" (localrec's WebGPU kernels, backend
   * "webgpu"), "host" (loops over host memory, wasm and cpu) or "tfjs" (tfjs
   * operations, webgl).
   */
  readonly kernel: string;
  readonly timings: readonly BackendTiming[];
  /** Why this backend was chosen: the ms per click measured on each backend tried. */
  readonly reason: string;
  /** True when the artifact came from the IndexedDB cache (no download). */
  readonly fromCache: boolean;
  /** True when stored adapted parameters were restored: rankings are personal at once. */
  readonly personal: boolean;
  /** Stored events from earlier visits. */
  readonly storedEvents: number;
  /** Default adaptation steps from the artifact. */
  readonly steps: number;
  /** Stored events on items this model's catalog lacks (e.g. removed in a new version): kept, but not used. */
  readonly ignoredEvents: number;
  /** Model versions whose adapted parameters were deleted because this version replaced them (the events are kept and re-used). */
  readonly discardedStates: readonly string[];
  /** Where events are kept: 'memory' when IndexedDB is unavailable or had to be let go (a 'storage' event says why). */
  readonly storage: StorageMode;
  /**
   * Where the start's time went, ms per phase in order: opening storage,
   * reading the cached model, fetching model.json, downloading, verifying
   * (SHA-256 and decoding), storing, decoding what every backend shares
   * (`decode`), building the model on a backend (`build`), choosing the
   * backend (its probes), restoring the visitor, the first ranking. A phase
   * that did not run is absent (a cached start has no download).
   */
  readonly startup: StartupTimes;
}

export interface InitParams {
  readonly modelUrl: string;
  readonly backend: BackendPreference;
  /** IndexedDB database; the worker's default (storage's DEFAULT_DB_NAME) when absent. */
  readonly dbName?: string;
  /** Time `auto` may spend on more backends once one works, ms (backend's SELECTION_BUDGET_MS when absent). */
  readonly budgetMs?: number;
  /** A model download fails after this long without receiving a byte, ms. */
  readonly downloadTimeoutMs?: number;
}

export interface ClickResult {
  readonly itemId: string;
  /** 1-based rank of the item before adapting on this click. */
  readonly rank: number;
  readonly metrics: SessionMetrics;
  /** True when a later click superseded this click's adaptation. */
  readonly superseded: boolean;
  /** Where the click's time went in the worker, ms per phase (click-timings.ts); the parameters' save follows the result. */
  readonly timings: ClickTimings;
}

/** The WGSL path's GPU, for diagnostics: buffers alive, and the kernel's submissions since it was built. */
export interface GpuCounts {
  /** The WebGPU adapter ("vendor architecture"). */
  readonly adapter: string;
  readonly buffers: number;
  readonly bytes: number;
  /** Buffers ever created on the device. */
  readonly created: number;
  /** Clicks and rankings submitted, their compute dispatches and read-backs. */
  readonly submissions: number;
  readonly dispatches: number;
  readonly readbacks: number;
}

/**
 * What the worker holds outside its JS heap, bytes (V8's heap usage, read
 * over the DevTools protocol, sees none of it): the host kernels' WebAssembly
 * memories (the item table copied in for the SIMD sweeps), the tfjs wasm
 * backend's heap, and GPU memory of tfjs tensors. The WGSL path's buffers are
 * GpuCounts.bytes.
 */
export interface WorkerMemory {
  readonly wasmKernelBytes: number;
  readonly wasmBackendBytes: number;
  readonly tfjsGpuBytes: number;
}

/** Request name → its parameters and its result. */
export interface RequestMap {
  init: { params: InitParams; result: ReadyInfo };
  recommend: { params: { count: number; exclude?: readonly string[] }; result: RankedItem[] };
  click: { params: { itemId: string }; result: ClickResult };
  impressions: { params: { itemIds: readonly string[] }; result: { stored: number } };
  rate: { params: { itemId: string; value: number }; result: { superseded: boolean } };
  reset: { params: Record<string, never>; result: { ok: true } };
  exportData: { params: Record<string, never>; result: ExportedData };
  stats: { params: Record<string, never>; result: StoreStats };
  forget: { params: Record<string, never>; result: { ok: true } };
  close: { params: Record<string, never>; result: { ok: true } };
  /**
   * For tests, benches and the debug panel: live tensor count, backend, memory outside the JS heap, the WGSL
   * path's GPU, and the threads a host sweep runs on (more than 1 on a cross-origin-isolated page).
   */
  debug: { params: Record<string, never>; result: { numTensors: number; backend: string; memory: WorkerMemory; gpu: GpuCounts | null; sweepThreads: number } };
  /** For tests: simulate losing the WebGPU device (`midClick`: right after the next click's GPU submission). */
  loseDevice: { params: { midClick?: boolean }; result: { backend: BackendName } };
  /**
   * Sent first by the page: the worker takes the named Web Lock and holds it
   * for life, so the page learns at once when the worker is gone (the lock is
   * released). `held` is false where Web Locks are unavailable.
   */
  lifeline: { params: { name: string }; result: { held: boolean } };
}

export type RequestType = keyof RequestMap;

export type Request = { [K in RequestType]: { readonly kind: 'request'; readonly id: number; readonly type: K; readonly params: RequestMap[K]['params'] } }[RequestType];

/** An error as data: rethrown as an Error with this name and message on the page side. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  /** Where it was thrown inside the worker (answers to requests only). */
  readonly stack?: string;
}

export type Response =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: ErrorData };

export interface LoadProgress {
  readonly phase: 'cache' | 'download' | 'verify' | 'stored';
  /** Relative file name within the artifact ('' for whole-artifact phases). */
  readonly file: string;
  readonly loaded: number;
  /** Bytes expected, or null when the server did not say. */
  readonly total: number | null;
}

/** One adaptation step, as it happens. */
export interface AdaptEvent {
  readonly step: number;
  readonly loss: number;
  readonly ms: number;
  readonly backend: string;
  /** Total steps this run will take. */
  readonly steps: number;
}

export interface RankingEvent {
  readonly items: readonly RankedItem[];
  /** 'sync': another tab of the site stored events, and this one adapted on them too. */
  readonly cause: 'ready' | 'click' | 'rating' | 'reset' | 'fallback' | 'sync';
  readonly metrics: SessionMetrics;
}

/** Event name → payload. */
export interface EventMap {
  progress: LoadProgress;
  adapt: AdaptEvent;
  ranking: RankingEvent;
  error: ErrorData;
  /** The backend changed mid-session (a lost WebGPU device): the others were timed as `auto` times them. */
  backend: { readonly from: string; readonly to: BackendName; readonly kernel: string; readonly reason: string; readonly timings: readonly BackendTiming[] };
  /** Storage changed course: in memory instead of IndexedDB, or the oldest events evicted to fit the quota. */
  storage: StorageNotice;
  /** Sent by the page side: the worker stopped (crash, terminate, close) and a new one restored the visitor from storage. */
  restart: RestartEvent;
}

/** A worker restart, as the page sees it. */
export interface RestartEvent {
  /** Restarts since createRecommender. */
  readonly restarts: number;
  /** Why the previous worker stopped. */
  readonly reason: string;
  /** What the new worker started with (storedEvents: what it restored). */
  readonly info: ReadyInfo;
}

export type EventType = keyof EventMap;

export type WorkerEvent = { [K in EventType]: { readonly kind: 'event'; readonly type: K; readonly data: EventMap[K] } }[EventType];

export type FromWorker = Response | WorkerEvent;

/** Turns anything thrown into error data that survives postMessage, the worker-side stack included. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}
