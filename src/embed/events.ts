import { EVENTS } from './protocol';

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/**
 * Dispatches a `localrec:*` CustomEvent on each element, then on window. The
 * element events do not bubble, so a window listener sees each event once.
 */
export function announce(name: EventName, detail: unknown, elements: Iterable<EventTarget>): void {
  for (const element of elements) element.dispatchEvent(new CustomEvent(name, { detail }));
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

/** An error as event detail: plain data, like the worker's. */
export function errorDetail(error: unknown, command?: string): { name: string; message: string; command?: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, ...(command ? { command } : {}) };
}
