import type { ErrorData, EventMap, FromWorker, Request, RequestMap, RequestType } from '../worker/messages';
import { Emitter, type Listener } from './emitter';

/** The name of errors that mean "the worker is gone", as opposed to an error the worker answered with. */
export const WORKER_STOPPED = 'WorkerStopped';

/** True when `error` says the worker stopped (crashed, was terminated or closed itself). */
export function isWorkerStopped(error: unknown): boolean {
  return error instanceof Error && error.name === WORKER_STOPPED;
}

/** An Error named WORKER_STOPPED. */
export function workerStopped(message: string): Error {
  return Object.assign(new Error(message), { name: WORKER_STOPPED });
}

/** Request/response over postMessage with one worker, with ids; events go to `events`. */
export class WorkerLink {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private closedError: Error | null = null;
  /** When the worker last said anything, or the first call of a busy spell went out (ms, performance.now). */
  private quietSince = now();

  /** `onStopped` hears of the worker's crash (its 'error' event); the link has failed by then. */
  constructor(
    private readonly worker: Worker,
    private readonly events: Emitter = new Emitter(),
    onStopped?: (error: Error) => void,
  ) {
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => this.receive(event.data));
    worker.addEventListener('error', (event: ErrorEvent) => {
      const error = workerStopped(`The recommender worker failed to load or crashed: ${event.message || 'no details (check the worker URL and the console)'}.`);
      this.fail(error);
      onStopped?.(error);
    });
  }

  /** How long the worker has said nothing while calls wait on it, ms (0 when none wait). */
  get silentMs(): number {
    return this.pending.size === 0 ? 0 : now() - this.quietSince;
  }

  /** True once the link failed: nothing more goes to this worker. */
  get failed(): boolean {
    return this.closedError !== null;
  }

  /** Sends a request; resolves with its result or rejects with an Error carrying the worker's message. */
  request<K extends RequestType>(type: K, params: RequestMap[K]['params']): Promise<RequestMap[K]['result']> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    if (this.pending.size === 0) this.quietSince = now();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ kind: 'request', id, type, params } as Request);
    });
  }

  /** Subscribes to a worker event; returns the unsubscribe function. */
  on<K extends keyof EventMap>(type: K, listener: Listener<K>): () => void {
    return this.events.on(type, listener);
  }

  /** Rejects everything pending and refuses new requests (the first error wins; the page hears it once). */
  fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.events.emit('error', { name: error.name, message: error.message });
  }

  private receive(message: FromWorker): void {
    this.quietSince = now();
    if (message.kind === 'event') {
      this.events.emit(message.type, message.data);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(rethrown(message.error));
  }
}

/** Error data from the worker as an Error; its stack is the worker's, where it was thrown (comlink does the same). */
function rethrown(data: ErrorData): Error {
  const error = Object.assign(new Error(data.message), { name: data.name });
  if (data.stack) error.stack = data.stack;
  return error;
}

const now = () => globalThis.performance?.now() ?? Date.now();
