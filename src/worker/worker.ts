/// <reference lib="webworker" />
// The worker's entry: turns requests into engine calls and answers each one
// with its id; failures travel back as error data.
import { backendMemory, tensorCount, parseBackendPreference } from '../backend';
import { wasmKernelBytes } from '../core/wasm-memory';
import { DEFAULT_DB_NAME, openStore } from '../storage';
import { Engine } from './engine';
import { artifactLoader } from './loader';
import { toErrorData, type EventMap, type FromWorker, type InitParams, type Request, type RequestMap } from './messages';

declare const self: DedicatedWorkerGlobalScope;

let engine: Engine | null = null;
let started = false;
let dbName: string | null = null;

const post = (message: FromWorker) => self.postMessage(message);
const emit = <K extends keyof EventMap>(type: K, data: EventMap[K]) => post({ kind: 'event', type, data } as FromWorker);

function ready(): Engine {
  if (!engine) throw new Error('The recommender is not ready yet: await recommender.ready before calling it.');
  return engine;
}

type Handlers = { [K in keyof RequestMap]: (params: RequestMap[K]['params']) => Promise<RequestMap[K]['result']> };

const handlers: Handlers = {
  async init(params: InitParams) {
    if (started) throw new Error('init was already called on this worker: create one recommender per worker.');
    started = true;
    dbName = params.dbName ?? DEFAULT_DB_NAME;
    const result = await Engine.start({ ...params, dbName, backend: parseBackendPreference(params.backend) }, emit, artifactLoader);
    engine = result.engine;
    return result.info;
  },
  recommend: (p) => ready().session.recommend(p.count, p.exclude ?? []),
  click: (p) => ready().session.click(p.itemId),
  impressions: async (p) => ({ stored: await ready().session.impressions(p.itemIds) }),
  rate: (p) => ready().session.rate(p.itemId, p.value),
  async reset() {
    await ready().session.reset();
    return { ok: true };
  },
  // After the saves a click left in flight: what is exported or counted includes the parameters it answered with.
  async exportData() {
    await ready().session.flushSaves();
    return ready().store.exportAll();
  },
  async stats() {
    await ready().session.flushSaves();
    return ready().store.stats();
  },
  async forget() {
    // Works even when startup failed (e.g. a refused model): the visitor's data must still be deletable.
    if (engine) {
      // A save still queued would otherwise write the parameters back after the deletion.
      await engine.session.flushSaves();
      engine.close();
      await engine.store.forget();
      engine = null;
    } else if (dbName) {
      await (await openStore(dbName)).forget();
    }
    return { ok: true };
  },
  async close() {
    await engine?.session.flushSaves();
    engine?.close();
    engine = null;
    return { ok: true };
  },
  async lifeline({ name }) {
    // Held until this worker ends: its release is how the page learns, at once, that the worker is gone.
    const locks = self.navigator.locks;
    if (!locks) return { held: false };
    await new Promise<void>((granted) => {
      void locks.request(name, () => {
        granted();
        return new Promise<never>(() => {});
      });
    });
    return { held: true };
  },
  async debug() {
    const tfjs = backendMemory();
    const memory = { wasmKernelBytes: wasmKernelBytes(), wasmBackendBytes: tfjs.wasmBytes, tfjsGpuBytes: tfjs.gpuBytes };
    return { numTensors: tensorCount(), backend: engine?.backendName ?? 'none', memory, gpu: (await engine?.gpuCounts()) ?? null, sweepThreads: engine?.sweepThreads ?? 1 };
  },
  async loseDevice(p) {
    const e = ready();
    const before = e.backendName;
    e.loseDevice(p.midClick ? { midClick: true } : {});
    // The engine notices through device.lost; wait until it has moved.
    for (let i = 0; i < 200 && e.backendName === before; i++) await new Promise((r) => setTimeout(r, 50));
    // ...and until the session is on it (its 'fallback' ranking pushed).
    await e.settle(null);
    return { backend: e.backendName };
  },
};

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request?.kind !== 'request') return;
  try {
    const handler = handlers[request.type] as (params: unknown) => Promise<unknown>;
    if (!handler) throw new Error(`Unknown request "${String(request.type)}": this worker handles ${Object.keys(handlers).join(', ')}.`);
    const result = await handler(request.params);
    post({ kind: 'response', id: request.id, ok: true, result });
  } catch (error) {
    post({ kind: 'response', id: request.id, ok: false, error: toErrorData(error) });
  }
};
