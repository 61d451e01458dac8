// What the loader (embed.ts, on every page) and the lazily loaded engine chunk
// (engine.ts) agree on: types, the command names and the event names. The two
// constants are all that reaches the loader's bytes from here.

/** Settings read from the embed script's own tag (data-* attributes). */
export interface EmbedConfig {
  /** model.json URL as written in data-model, resolved against the page. */
  readonly model: string;
  /** CSS selector of the element the widget is rendered into; null renders no widget. */
  readonly target: string | null;
  /** Items the widget shows, 1..20. */
  readonly count: number;
  /** tfjs backend name from data-backend, checked by the engine; null for 'auto'. */
  readonly backend: string | null;
  /** Item link template from data-href, e.g. "/p/{id}"; null renders buttons. */
  readonly href: string | null;
  /** IndexedDB database name (data-db), one per recommender on a site; null for the engine's default. */
  readonly dbName: string | null;
  /** Widget heading from data-heading; null for the default. */
  readonly heading: string | null;
}

/** The commands `localrec(command, ...args)` understands. */
export const COMMANDS = ['click', 'view', 'recommend', 'rate', 'ready', 'export', 'reset', 'forget'] as const;

export type Command = (typeof COMMANDS)[number];

/** What the engine chunk hands back to the loader. */
export interface EngineApi {
  /** Runs one command; rejects with an Error naming the bad argument. */
  run(command: string, args: readonly unknown[]): Promise<unknown>;
}

/** The engine chunk's exports, as the loader sees them after import(). */
export interface EngineModule {
  start(config: EmbedConfig): EngineApi;
}

/** One call the inline stub queued before the loader arrived: its arguments and its promise's resolvers. */
export type QueuedCall = [args: ArrayLike<unknown>, resolve: (value: unknown) => void, reject: (reason: unknown) => void];

/** The global `localrec` function: the inline stub (with its queue `q`) or the loader's real one. */
export type LocalrecFunction = ((command: string, ...args: unknown[]) => Promise<unknown>) & { q?: QueuedCall[]; loaded?: true };

/** Event names dispatched on the widget element and on window. */
export const EVENTS = {
  ready: 'localrec:ready',
  ranking: 'localrec:ranking',
  adapted: 'localrec:adapted',
  error: 'localrec:error',
} as const;
