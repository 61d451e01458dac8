/**
 * Item metadata of format v2: `{"items": [{id, title, tags, url?, image?}, ...]}`
 * in shards `catalog-NNN.json` of at most MAX_SHARD_BYTES, split between items,
 * in catalog order (item i of the model is the i-th item over the shards).
 */

import { MAX_ITEM_ID_LENGTH, quote } from '../check';
import type { CatalogItemV2, CatalogShard } from './format';
import { shardName } from './stream';

/** Longest `url` or `image`, characters. */
export const MAX_LINK_LENGTH = 2048;

/**
 * A link a page may put in `href`/`src`: http(s) or a path on the site. Never a
 * `javascript:` or `data:` URL, which a widget rendering the catalog would run.
 */
export function isSafeLink(value: string): boolean {
  if (value.length === 0 || value.length > MAX_LINK_LENGTH) return false;
  if (/^https?:\/\//i.test(value)) return true;
  // Relative: no scheme before the first / ? or #.
  return !/^[^/?#]*:/.test(value);
}

/** Throws naming the item (`where`) when its id or links are unusable. */
export function checkItem(item: CatalogItemV2, where: string): void {
  const id: unknown = item?.id;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ITEM_ID_LENGTH) {
    throw new Error(`${where} has the id ${quote(id)}: ids are strings of 1 to ${MAX_ITEM_ID_LENGTH} characters.`);
  }
  for (const key of ['url', 'image'] as const) {
    const link: unknown = item[key];
    if (link !== undefined && (typeof link !== 'string' || !isSafeLink(link))) {
      throw new Error(`${where} (id ${quote(id)}) has the ${key} ${quote(link)}: use an http(s) URL or a path on the site (at most ${MAX_LINK_LENGTH} characters).`);
    }
  }
}

/** Throws naming the first item whose id or links are unusable. */
export function checkCatalog(items: readonly CatalogItemV2[]): void {
  items.forEach((item, i) => checkItem(item, `Catalog item ${i}`));
}

/** The catalog cut into shards; throws naming an item whose id or links are unusable. */
export function encodeCatalog(items: readonly CatalogItemV2[], maxBytes: number): { shards: CatalogShard[]; files: Record<string, Uint8Array> } {
  const encoder = new TextEncoder();
  const shards: CatalogShard[] = [];
  const files: Record<string, Uint8Array> = {};
  const head = encoder.encode('{"items":[');
  const tail = encoder.encode(']}');
  let parts: Uint8Array[] = [];
  let count = 0;
  let bytes = head.byteLength + tail.byteLength;
  const flush = (): void => {
    const name = shardName('catalog', shards.length, 'json');
    const out = new Uint8Array(bytes);
    let at = 0;
    for (const p of [head, ...parts, tail]) {
      out.set(p, at);
      at += p.byteLength;
    }
    files[name] = out;
    shards.push({ file: name, items: count });
    parts = [];
    count = 0;
    bytes = head.byteLength + tail.byteLength;
  };
  const comma = encoder.encode(',');
  items.forEach((item, i) => {
    checkItem(item, `Catalog item ${i}`);
    const { id, title, tags, url, image } = item;
    const json = encoder.encode(JSON.stringify({ id, title, tags, ...(url ? { url } : {}), ...(image ? { image } : {}) }));
    if (count > 0 && bytes + 1 + json.byteLength > maxBytes) flush();
    if (bytes + json.byteLength > maxBytes) throw new Error(`Catalog item ${i} (id ${quote(id)}) takes ${json.byteLength} bytes of JSON, more than a shard (${maxBytes}): shorten its title or tags.`);
    if (count > 0) {
      parts.push(comma);
      bytes += 1;
    }
    parts.push(json);
    bytes += json.byteLength;
    count++;
  });
  if (count > 0 || shards.length === 0) flush();
  return { shards, files };
}
