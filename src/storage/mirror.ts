import type { NewEvent, StoredEvent } from './schema';

/**
 * This page's copy of the stored events, so that a click does not read every
 * event back from IndexedDB (twice) as the history grows. It is right only
 * while nobody else writes: the owner calls invalidate() when another tab
 * says it changed the events, and the next read goes to the database again.
 */
export class EventMirror {
  private events: StoredEvent[] | null = null;
  /** Bumped by invalidate(), so a read that was under way then is not kept. */
  private generation = 0;

  constructor(private readonly enabled: boolean) {}

  /** The events, oldest first: from the copy, or from `load` (then kept). */
  async read(load: () => Promise<StoredEvent[]>): Promise<StoredEvent[]> {
    if (this.events) return [...this.events];
    const generation = this.generation;
    const events = await load();
    if (this.enabled && generation === this.generation) this.events = events;
    return [...events];
  }

  /** This page stored `events` under `ids` (increasing, so they go last). */
  added(events: readonly NewEvent[], ids: readonly number[]): void {
    this.events?.push(...events.map((e, i) => ({ ...e, id: ids[i]! })));
  }

  cleared(): void {
    this.invalidate();
    if (this.enabled) this.events = [];
  }

  invalidate(): void {
    this.generation += 1;
    this.events = null;
  }
}
