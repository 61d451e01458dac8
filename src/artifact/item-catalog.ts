/**
 * A model's item metadata as the runtime reads it: an id's catalog index, and
 * an item's metadata when a ranking shows it. Format v1 holds the parsed
 * items; format v2 keeps its catalog shards packed (artifact/v2/packed-catalog.ts)
 * and parses an item only when it is asked for, so that a 1M-item catalog
 * costs its bytes, not a million JS objects.
 */

import type { CatalogItemV2 } from './v2/format';

export interface ItemCatalog {
  /** Items in the catalog. */
  readonly length: number;
  /** Catalog index of an item id, or undefined when the catalog lacks it. */
  indexOf(id: string): number | undefined;
  /** The id of item `i` (0 ≤ i < length). */
  id(i: number): string;
  /** The metadata of item `i` (a new object each call). */
  item(i: number): CatalogItemV2;
}

/** A catalog over parsed items (format v1), with their id → index map when it exists already. */
export function arrayCatalog(items: readonly CatalogItemV2[], index: ReadonlyMap<string, number> = new Map(items.map((c, i) => [c.id, i]))): ItemCatalog {
  const at = (i: number): CatalogItemV2 => {
    const item = items[i];
    if (!item) throw new RangeError(`Catalog item ${i} does not exist: the catalog has ${items.length} items.`);
    return item;
  };
  return { length: items.length, indexOf: (id) => index.get(id), id: (i) => at(i).id, item: at };
}

/** Every item in order (tests, converters and benchmarks; never the runtime, which reads items one at a time). */
export function catalogItems(catalog: ItemCatalog): CatalogItemV2[] {
  return Array.from({ length: catalog.length }, (_, i) => catalog.item(i));
}
