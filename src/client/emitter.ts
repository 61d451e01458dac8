import type { EventMap } from '../worker/messages';

export type Listener<K extends keyof EventMap> = (data: EventMap[K]) => void;

/** The page's event listeners: they outlive any one worker, so a restart keeps them. */
export class Emitter {
  private readonly listeners = new Map<keyof EventMap, Set<Listener<keyof EventMap>>>();

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof EventMap>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<keyof EventMap>);
    return () => set.delete(listener as Listener<keyof EventMap>);
  }

  emit<K extends keyof EventMap>(type: K, data: EventMap[K]): void {
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
