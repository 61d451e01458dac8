// The engine chunk: loaded by embed.ts with import() once the page is up. It
// starts the recommender (its worker made same-origin when the embed comes
// from a CDN), registers <localrec-widget>, and runs the loader's commands.
import workerEntry from '../worker/worker.ts?worker&url';
import { createRecommender, type BackendPreference } from '../index';
import { runCommand } from './commands';
import { errorDetail } from './events';
import { Hub } from './hub';
import { EVENTS, type EmbedConfig, type EngineApi } from './protocol';
import { defineWidget, WIDGET_TAG } from './widget';
import { sameOriginWorkerUrl } from './worker-url';

function mount(hub: Hub, selector: string): void {
  const target = document.querySelector(selector);
  if (!target) {
    hub.announce(EVENTS.error, errorDetail(new Error(`localrec embed: data-target="${selector}" matches no element: add one (e.g. <div id="recs"></div>) or fix the selector.`)));
    return;
  }
  if (target.localName === WIDGET_TAG || target.querySelector(WIDGET_TAG)) return;
  target.append(document.createElement(WIDGET_TAG));
}

/** Starts the embedded recommender for the script tag's settings; returns what runs `localrec(...)` commands. */
export function start(config: EmbedConfig): EngineApi {
  // Absolute URLs throughout: inside a blob: worker, relative ones would resolve against the blob.
  const worker = sameOriginWorkerUrl(new URL(workerEntry, import.meta.url));
  const recommender = createRecommender({
    modelUrl: new URL(config.model, location.href).href,
    backend: (config.backend ?? 'auto') as BackendPreference,
    ...(config.dbName === null ? {} : { dbName: config.dbName }),
    workerUrl: worker.url,
  });
  // The blob URL stays alive with the page: the client restarts a crashed or
  // terminated worker from the same URL (a few bytes, kept for the page's life).
  const hub = new Hub(recommender);
  defineWidget(hub, { count: config.count, heading: config.heading, href: config.href });
  if (config.target) mount(hub, config.target);
  return {
    run: (command, args) =>
      runCommand(hub, command, args, config.count).catch((error: unknown) => {
        hub.announce(EVENTS.error, errorDetail(error, command));
        throw error;
      }),
  };
}
