// Checks of what a page passes to the recommender, before anything reaches the
// worker: a bad value is refused at once with an Error naming it, instead of
// travelling to the worker (or failing to be cloned on the way).
import { MAX_ITEM_ID_LENGTH } from '../artifact/check';

export { MAX_ITEM_ID_LENGTH };

/** A bad value as an error message shows it: its type, and strings cut short (a page may pass megabytes). */
export function describeValue(value: unknown, max = 60): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return text.length > max ? `the string ${text.slice(0, max)}… (${value.length.toLocaleString('en-US')} characters)` : `the string ${text}`;
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `the ${typeof value} ${String(value)}`;
}

/** `value` if it is an item id (a non-empty string of at most MAX_ITEM_ID_LENGTH characters); else throws naming `call`. */
export function checkItemId(value: unknown, call: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${call}: an item id must be a non-empty string, got ${describeValue(value)}. Pass the id from the catalog, e.g. "sku-123".`);
  }
  if (value.length > MAX_ITEM_ID_LENGTH) {
    throw new RangeError(`${call}: the item id ${describeValue(value)} is longer than any catalog id can be (${MAX_ITEM_ID_LENGTH} characters).`);
  }
  return value;
}

/** A copy of `value` if it is an array of item ids; else throws naming `call` and the first bad entry. */
export function checkItemIds(value: unknown, call: string): string[] {
  // A lone string would otherwise be spread into its characters.
  if (!Array.isArray(value)) throw new TypeError(`${call}: expected an array of item ids, got ${describeValue(value)}. Wrap a single id: ["sku-123"].`);
  return value.map((id, i) => checkItemId(id, `${call}[${i}]`));
}

/** `value` if it is a whole number of items ≥ 0; else throws naming `call`. */
export function checkCount(value: unknown, call: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new RangeError(`${call}: count must be a whole number of items ≥ 0, got ${describeValue(value)}, e.g. { count: 10 }.`);
  }
  return value as number;
}

/** `value` if it is a rating from 1 to 5; else throws naming `call`. */
export function checkRating(value: unknown, call: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 5) {
    throw new RangeError(`${call}: a rating must be a number from 1 to 5, got ${describeValue(value)}.`);
  }
  return value;
}

/** `value` if it is undefined or a positive number of ms; else throws naming the option. */
export function checkOptionalMs(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`createRecommender: ${option} must be a positive number of ms, got ${describeValue(value)}.`);
  return value;
}
