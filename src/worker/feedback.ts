import type { ItemCatalog } from '../artifact/item-catalog';
import type { Feedback } from '../core/types';
import type { StoredEvent } from '../storage/schema';

/** Ratings at or above this (on a 1–5 scale) count as clicks; at or below NEGATIVE_RATING as impressions. */
export const POSITIVE_RATING = 4;
export const NEGATIVE_RATING = 2;

/** Feedback for adaptation, plus the item ids no longer in the catalog (skipped). */
export interface EventFeedback extends Feedback {
  readonly unknown: readonly string[];
}

/**
 * Turns stored events into catalog-index feedback: clicks (and high ratings)
 * are positives in order, repeats included; items shown but never clicked
 * (and low ratings) are negatives, once each. Events for items the current
 * catalog lacks (e.g. from an older model version) are skipped, not fatal.
 */
export function eventsToFeedback(events: readonly Pick<StoredEvent, 'type' | 'itemId' | 'value'>[], catalog: Pick<ItemCatalog, 'indexOf'>): EventFeedback {
  const clicks: number[] = [];
  const shown = new Set<number>();
  const clicked = new Set<number>();
  const unknown = new Set<string>();
  for (const event of events) {
    const i = catalog.indexOf(event.itemId);
    if (i === undefined) {
      unknown.add(event.itemId);
      continue;
    }
    const positive = event.type === 'click' || (event.type === 'rating' && (event.value ?? 0) >= POSITIVE_RATING);
    const negative = event.type === 'impression' || (event.type === 'rating' && (event.value ?? Infinity) <= NEGATIVE_RATING);
    if (positive) {
      clicks.push(i);
      clicked.add(i);
    } else if (negative) {
      shown.add(i);
    }
  }
  const negatives = [...shown].filter((i) => !clicked.has(i));
  return { clicks: Int32Array.from(clicks), negatives: Int32Array.from(negatives), unknown: [...unknown] };
}

/** Distinct clicked indices, for excluding already-clicked items from recommendations. */
export function clickedSet(feedback: Feedback): Int32Array {
  return Int32Array.from(new Set(feedback.clicks));
}
