// The loader: the one file every page downloads (budget 5 KB gzip). It reads
// its own <script> tag, installs the real `localrec(...)` command function,
// replays what the inline stub queued, tracks declarative clicks, and only then
// import()s the engine chunk (widget + worker client), which starts the worker.
import { readConfig } from './config';
import { trackDeclarativeClicks } from './delegate';
import { EVENTS, type EmbedConfig, type EngineApi, type EngineModule, type LocalrecFunction } from './protocol';

/** The engine chunk's file name, next to embed.js (see vite.embed.config.ts). */
const ENGINE_FILE = 'engine.js';

// currentScript is only set while this classic script first runs, so read it now.
const script = (document.currentScript ?? document.querySelector('script[data-model][src*="embed"]')) as HTMLScriptElement | null;
const host = window as unknown as { localrec?: LocalrecFunction };

function reportError(error: Error): void {
  window.dispatchEvent(new CustomEvent(EVENTS.error, { detail: { name: error.name, message: error.message } }));
}

function engineLoader(): () => Promise<EngineApi> {
  let engine: Promise<EngineApi> | null = null;
  let config: EmbedConfig | null = null;
  let problem: Error | null = null;
  try {
    config = readConfig(script);
  } catch (error) {
    problem = error as Error;
  }
  return () => {
    if (engine) return engine;
    if (!config || !script) {
      engine = Promise.reject(problem ?? new Error('localrec embed: cannot find its own <script> tag; load embed.js with a plain <script src> tag.'));
    } else {
      const url = new URL(ENGINE_FILE, script.src).href;
      const settings = config;
      engine = import(/* @vite-ignore */ url).then(
        (module: EngineModule) => module.start(settings),
        (error: Error) => {
          throw new Error(`localrec embed: could not load the engine from ${url} (${error.message}). Serve it next to embed.js, with CORS headers when on another origin.`);
        },
      );
    }
    engine.catch(reportError);
    return engine;
  };
}

function install(): void {
  const stub = host.localrec;
  if (stub?.loaded) return; // the tag is on the page twice: the first one wins
  const load = engineLoader();
  const localrec: LocalrecFunction = (command, ...args) => {
    const result = load().then((api) => api.run(command, args));
    // Fire-and-forget calls (clicks, views) must not log unhandled rejections; errors also go to 'localrec:error'.
    result.catch(() => {});
    return result;
  };
  localrec.loaded = true;
  host.localrec = localrec;
  // The queue belongs to the host page: a malformed entry is reported and skipped, never allowed to stop the loader.
  const queue: unknown = stub?.q ?? [];
  for (const entry of Array.isArray(queue) ? (queue as unknown[]) : [queue]) {
    const [args, resolve, reject] = (Array.isArray(entry) ? entry : []) as unknown[];
    if (typeof (args as ArrayLike<unknown> | null)?.length !== 'number' || typeof args === 'string') {
      reportError(new Error('localrec embed: skipped a malformed entry of localrec.q; queue calls with the stub of docs/EMBED.md.'));
      continue;
    }
    const result = localrec(...(Array.from(args as ArrayLike<unknown>) as [string, ...unknown[]]));
    if (typeof resolve === 'function' && typeof reject === 'function') result.then(resolve as (v: unknown) => void, reject as (e: unknown) => void);
  }
  trackDeclarativeClicks((id) => void localrec('click', id));
  // The engine is large: fetch it once the page itself has loaded, unless a command needs it sooner.
  if (document.readyState === 'complete') void load().catch(() => {});
  else addEventListener('load', () => void load().catch(() => {}), { once: true });
}

install();
