/** An inclusive numeric range; `above`: the minimum itself is excluded (e.g. a learning rate > 0). */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly above?: boolean;
  /** Whole numbers only. */
  readonly integer?: boolean;
}

/** True when `value` is a number (whole where the range says so) inside `range`. */
export function inRange(value: unknown, range: Range): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) return false;
  return (range.above ? value > range.min : value >= range.min) && value <= range.max;
}

/** A range as an error states it: "a whole number from 1 to 1,024", "a number above 0 and at most 10". */
export function describeRange(range: Range): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = range.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(range.min) && !Number.isFinite(range.max)) return `${what} (finite)`;
  if (range.above) return `${what} above ${n(range.min)} and at most ${n(range.max)}`;
  return `${what} from ${n(range.min)} to ${n(range.max)}`;
}
