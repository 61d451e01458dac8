import type { InitParams, ReadyInfo, RequestMap, RequestType } from '../worker/messages';
import { Emitter } from './emitter';
import { isWorkerStopped, WorkerLink, workerStopped } from './link';

/** Requests that change nothing: sent again to the restarted worker when the old one died on them. */
const RETRY_SAFE: ReadonlySet<RequestType> = new Set<RequestType>(['recommend', 'exportData', 'stats', 'debug']);

/** Requests that must work even when the worker could not start (the visitor's data must stay deletable). */
const UNGATED: ReadonlySet<RequestType> = new Set<RequestType>(['forget', 'close']);

/**
 * A worker that says nothing for this long while calls wait on it is taken
 * for hung (an endless loop) and restarted, ms. Long: the worker answers
 * between steps of everything it does, so only a real hang is this quiet.
 */
export const STALL_MS = 30_000;

/** Restarts without a single answered request in between before giving up: such a worker is broken, not unlucky. */
export const MAX_RESTARTS_IN_A_ROW = 3;

/**
 * Keeps one worker running for a recommender. It notices the worker stopping
 * (an 'error' event for a crash; for terminate() or close(), the release of a
 * Web Lock the worker holds for life) and starts a new one with the same
 * settings, which restores the visitor from IndexedDB. Calls in flight on the
 * dead worker are retried when they change nothing and rejected otherwise;
 * calls made meanwhile wait for the new worker. A worker that dies before it
 * was ever ready is not restarted: `ready` rejects with the reason.
 */
export class Supervisor {
  readonly events = new Emitter();
  /** The first worker's ReadyInfo. */
  readonly ready: Promise<ReadyInfo>;
  private worker!: Worker;
  private link!: WorkerLink;
  /** The link to the current worker, once its init has answered. */
  private current: Promise<WorkerLink>;
  private stoppedWith: Error | null = null;
  private restarts = 0;
  private inARow = 0;
  private everReady = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  /** The current worker has answered its init: from then on silence means a hang (starting may be legitimately quiet). */
  private started = false;
  /** See STALL_MS; tests shorten it. */
  stallMs = STALL_MS;

  constructor(
    private readonly spawn: () => Worker,
    private init: InitParams,
  ) {
    const { link, ready } = this.launch();
    this.ready = ready;
    this.current = ready.then((info) => {
      this.everReady = true;
      // A restart keeps the backend chosen now: no second selection, same numerics.
      this.init = { ...this.init, backend: info.backend };
      return link;
    });
    this.current.catch(() => {});
  }

  /** The worker running now (for tests and diagnostics). */
  get currentWorker(): Worker {
    return this.worker;
  }

  /** Sends a request to the current worker, following it across restarts. */
  async request<K extends RequestType>(type: K, params: RequestMap[K]['params']): Promise<RequestMap[K]['result']> {
    for (let attempt = 0; ; attempt++) {
      if (this.stoppedWith) throw this.stoppedWith;
      const link = UNGATED.has(type) ? await this.current.catch(() => this.link) : await this.current;
      if (link.failed && link !== this.link) continue; // it died while we waited: never sent, so send it to the new one
      this.watchForStall();
      try {
        const result = await link.request(type, params);
        this.inARow = 0;
        return result;
      } catch (error) {
        if (!isWorkerStopped(error) || this.stoppedWith) throw error;
        if (RETRY_SAFE.has(type) && attempt === 0) continue;
        throw workerStopped(
          `The recommender worker stopped while handling ${describeCall(type, params)} and is restarting from what it stored; ` +
            `this call may not have been applied: make it again if it matters. (${(error as Error).message})`,
        );
      }
    }
  }

  /** Stops for good (close, forget): everything pending and later rejects with `error`. */
  stop(error: Error): void {
    this.stoppedWith ??= error;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.link.fail(error);
    this.worker.terminate();
  }

  private launch(): { link: WorkerLink; ready: Promise<ReadyInfo> } {
    const worker = this.spawn();
    const link: WorkerLink = new WorkerLink(worker, this.events, (error) => this.died(link, error));
    this.worker = worker;
    this.link = link;
    this.started = false;
    this.watchLifeline(link);
    const ready = link.request('init', this.init);
    ready.then(
      () => {
        if (link === this.link) this.started = true;
      },
      () => {},
    );
    return { link, ready };
  }

  /** Learns of terminate() and close() at once: the lock the worker holds is released when it ends. */
  private watchLifeline(link: WorkerLink): void {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    if (!locks) return; // insecure contexts: only crashes ('error' events) are noticed
    const name = `localrec-worker-${crypto.randomUUID()}`;
    link.request('lifeline', { name }).then(
      ({ held }) => {
        if (!held) return;
        void locks.request(name, async () => this.died(link, workerStopped('The recommender worker stopped (terminated, or it closed itself).')));
      },
      () => {}, // the link failed: died() has heard already
    );
  }

  /** Polls while calls wait: a terminate() without Web Locks, or an endless loop, shows up as silence. */
  private watchForStall(): void {
    if (this.watchdog !== null) return;
    this.watchdog = setInterval(() => {
      const silent = this.link.silentMs;
      if (silent === 0 && this.watchdog !== null) {
        clearInterval(this.watchdog);
        this.watchdog = null;
      } else if (this.started && silent > this.stallMs) {
        this.died(this.link, workerStopped(`The recommender worker stopped answering: nothing for ${Math.round(silent)} ms while calls waited (an endless loop, or terminated where Web Locks are unavailable).`));
      }
    }, Math.min(1000, this.stallMs / 4));
  }

  private died(link: WorkerLink, cause: Error): void {
    if (link !== this.link || this.stoppedWith) return; // an old worker, or stopped on purpose
    link.fail(cause);
    this.worker.terminate();
    if (!this.everReady) return; // never started: `ready` has rejected with the cause; restarting would loop
    if (++this.inARow > MAX_RESTARTS_IN_A_ROW) {
      this.stop(workerStopped(`The recommender worker stopped ${this.inARow} times in a row (last: ${cause.message}); not restarting it again: reload the page.`));
      return;
    }
    this.restarts += 1;
    const restarts = this.restarts;
    const { link: next, ready } = this.launch();
    this.current = ready.then(
      (info) => {
        this.events.emit('restart', { restarts, reason: cause.message, info });
        return next;
      },
      (error: unknown) => {
        throw new Error(`The recommender worker was restarted after "${cause.message}" but could not start again: ${(error as Error).message}`);
      },
    );
    this.current.catch(() => {});
  }
}

/** `click({"itemId":"i3"})`, cut short for long argument lists. */
function describeCall(type: string, params: unknown): string {
  const args = JSON.stringify(params);
  return `${type}(${args.length > 120 ? `${args.slice(0, 120)}…` : args})`;
}
