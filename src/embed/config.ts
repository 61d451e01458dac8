import type { EmbedConfig } from './protocol';

/** Items the widget can show: the engine pushes rankings of 20 (RANKING_SIZE). */
export const MAX_COUNT = 20;

/** Reads the embed settings from the script tag's data-* attributes; throws naming the bad attribute. */
export function readConfig(script: HTMLOrSVGScriptElement | null): EmbedConfig {
  const data = (script as HTMLScriptElement | null)?.dataset ?? {};
  const model = data.model;
  if (!model) {
    throw new Error('localrec embed: the script tag needs data-model="…/model.json", e.g. <script src="embed.js" data-model="/models/shop/model.json">.');
  }
  const countText = data.count ?? '6';
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new Error(`localrec embed: data-count="${countText}" is not a whole number from 1 to ${MAX_COUNT}.`);
  }
  return {
    model,
    target: data.target ?? null,
    count,
    backend: data.backend ?? null,
    href: data.href ?? null,
    dbName: data.db ?? null,
    heading: data.heading ?? null,
  };
}
