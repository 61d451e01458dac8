// The other tabs of the site: each runs its own worker on the same IndexedDB.
// After one stores events, it says so on a BroadcastChannel, and the others
// re-read and adapt, so that every tab ranks from the same events.

/** This worker's line to the other tabs of the site that use the same database. */
export interface Tabs {
  /** Tells the other tabs that the stored events changed. */
  announce(): void;
  close(): void;
}

interface TabMessage {
  readonly type: 'events-changed';
}

/** Listens on the database's channel; `onChange` runs when another tab changed the stored events. */
export function watchTabs(dbName: string, onChange: () => void): Tabs {
  // Without BroadcastChannel, tabs still share IndexedDB; they converge on their next click.
  if (typeof BroadcastChannel === 'undefined') return { announce() {}, close() {} };
  const channel = new BroadcastChannel(`localrec:${dbName}`);
  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    if (event.data?.type === 'events-changed') onChange();
  };
  const message: TabMessage = { type: 'events-changed' };
  return {
    announce: () => channel.postMessage(message),
    close: () => channel.close(),
  };
}
