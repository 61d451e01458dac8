import type { EventMap, FromWorker, Request, RequestMap, RequestType } from '../worker/messages';

type Listener<K extends keyof EventMap> = (data: EventMap[K]) => void;

/** Request/response over postMessage, with ids, plus event fan-out. */
export class WorkerLink {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly listeners = new Map<keyof EventMap, Set<Listener<keyof EventMap>>>();
  private closedError: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => this.receive(event.data));
    worker.addEventListener('error', (event: ErrorEvent) => {
      this.fail(new Error(`The recommender worker failed to load or crashed: ${event.message || 'no details (check the worker URL and the console)'}.`));
    });
  }

  /** Sends a request; resolves with its result or rejects with an Error carrying the worker's message. */
  request<K extends RequestType>(type: K, params: RequestMap[K]['params']): Promise<RequestMap[K]['result']> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ kind: 'request', id, type, params } as Request);
    });
  }

  /** Subscribes to a worker event; returns the unsubscribe function. */
  on<K extends keyof EventMap>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<keyof EventMap>);
    return () => set.delete(listener as Listener<keyof EventMap>);
  }

  /** Rejects everything pending and refuses new requests. */
  fail(error: Error): void {
    this.closedError ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.dispatch('error', { name: error.name, message: error.message });
  }

  private receive(message: FromWorker): void {
    if (message.kind === 'event') {
      this.dispatch(message.type, message.data);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
  }

  private dispatch<K extends keyof EventMap>(type: K, data: EventMap[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as Listener<K>)(data);
      } catch (error) {
        // A throwing page callback must not stop the others or the worker link.
        console.error(`localrec "${type}" listener threw:`, error);
      }
    }
  }
}
