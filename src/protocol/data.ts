import type { Dataset, ItemContent } from '../data/dataset';
import { fnv1a32, userBucket } from './fnv';
import type { FoldData, UserPositives } from './types';

export const PROTOCOL_DEFAULTS = {
  threshold: 4,
  minPositives: 25,
  ks: [1, 3, 5, 10, 20],
  folds: [0, 1, 2, 3, 4],
} as const;

/** A dataset reduced to what protocol v1 needs: the catalog and every user's ordered positives. */
export interface PreparedData {
  readonly name: string;
  /** How positives were chosen, for the report, e.g. "rating >= 4" or "every interaction (no ratings)". */
  readonly positives: string;
  readonly catalog: readonly string[];
  readonly itemIndex: ReadonlyMap<string, number>;
  /** Users in ascending id order, each with positives in protocol order. */
  readonly users: readonly UserPositives[];
  readonly content: readonly (ItemContent | undefined)[];
}

/** Catalog: every distinct item id in the log (any rating), ascending UTF-16 code-unit order. */
export function buildCatalog(dataset: Dataset): string[] {
  const ids = new Set<string>();
  for (const r of dataset.interactions) ids.add(r.item);
  return [...ids].sort();
}

/**
 * Positives by the threshold rule (rating >= threshold when the data has ratings, else every
 * interaction; a row without a rating in rated data counts as positive), one per (user, item)
 * at its earliest timestamp, ordered per user by (timestamp, fnv1a32(user + ":" + item)).
 */
export function prepareData(dataset: Dataset, threshold: number = PROTOCOL_DEFAULTS.threshold): PreparedData {
  const catalog = buildCatalog(dataset);
  const itemIndex = new Map<string, number>();
  catalog.forEach((id, i) => itemIndex.set(id, i));

  const earliest = new Map<string, Map<string, number>>();
  for (const r of dataset.interactions) {
    if (dataset.hasRatings && r.rating !== undefined && !(r.rating >= threshold)) continue;
    const t = r.timestamp ?? 0;
    let items = earliest.get(r.user);
    if (!items) earliest.set(r.user, (items = new Map()));
    const prev = items.get(r.item);
    if (prev === undefined || t < prev) items.set(r.item, t);
  }

  const users: UserPositives[] = [];
  for (const user of [...earliest.keys()].sort()) {
    const rows = [...earliest.get(user)!].map(([item, t]) => ({ item, t, h: fnv1a32(`${user}:${item}`) }));
    // The item-id comparison only breaks full hash collisions, so the order is total.
    rows.sort((a, b) => a.t - b.t || a.h - b.h || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    users.push({ user, items: Int32Array.from(rows, (r) => itemIndex.get(r.item)!) });
  }

  const byId = new Map(dataset.items.map((c) => [c.id, c]));
  const positives = dataset.hasRatings ? `rating >= ${threshold}` : 'every interaction (no ratings)';
  return { name: dataset.name, positives, catalog, itemIndex, users, content: catalog.map((id) => byId.get(id)) };
}

/** The role of a user in fold f: test buckets {2f, 2f+1}, validation bucket (2f+2) % 10, else train. */
export function userRole(user: string, fold: number): 'train' | 'validation' | 'test' {
  const b = userBucket(user);
  if (b === 2 * fold || b === 2 * fold + 1) return 'test';
  if (b === (2 * fold + 2) % 10) return 'validation';
  return 'train';
}

/** Splits prepared data into fold `fold` (0..4); validation and test keep users with >= minPositives. */
export function buildFold(data: PreparedData, fold: number, minPositives: number = PROTOCOL_DEFAULTS.minPositives): FoldData {
  if (!Number.isInteger(fold) || fold < 0 || fold > 4) {
    throw new Error(`Fold ${fold} is out of range: protocol v1 has folds 0, 1, 2, 3, 4`);
  }
  const train: UserPositives[] = [];
  const validation: UserPositives[] = [];
  const test: UserPositives[] = [];
  for (const u of data.users) {
    const role = userRole(u.user, fold);
    if (role === 'train') train.push(u);
    else if (u.items.length >= minPositives) (role === 'test' ? test : validation).push(u);
  }
  return { fold, catalog: data.catalog, itemIndex: data.itemIndex, train, validation, test, content: data.content };
}
