/** Checked between adaptation steps: set when a newer request supersedes the one in flight. */
export interface Signal {
  aborted: boolean;
}

/**
 * At most one request in flight, and only the latest counts: a new one aborts
 * the signal of the one before. A request leaves the flight however it ends,
 * thrown errors included, so a failure never leaves later work waiting on it.
 */
export class Flight {
  private current: Signal | null = null;
  private next: (() => void) | null = null;

  /** True while a request is in flight. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** Runs `work` as the request in flight, superseding any earlier one. */
  async run<T>(work: (signal: Signal) => Promise<T>): Promise<T> {
    this.supersede();
    const signal: Signal = { aborted: false };
    this.current = signal;
    try {
      return await work(signal);
    } finally {
      if (this.current === signal) {
        this.current = null;
        const next = this.next;
        this.next = null;
        next?.();
      }
    }
  }

  /** Runs `task` when the request in flight ends (one task waits at most: a later call replaces it). */
  afterwards(task: () => void): void {
    this.next = task;
  }

  /** Aborts the request in flight and forgets it. */
  supersede(): void {
    if (this.current) this.current.aborted = true;
    this.current = null;
  }
}
