// The item-list proxy's rows (train/list-search): a few thousand non-zero
// entries in a catalog of 10k-1M items. Kept catalog-long (so protocol v1's
// metrics read them as they are) with the list of entries touched, so that
// building, ranking against and clearing a row costs O(its entries), not
// O(catalog): the v2 proxy builds one per prefix of every validation user.
// The PyTorch trainer's counterpart: trainer/localrec_trainer/train/sparse_rank.py.
import { forEachClickedEntry } from '../core/neighbours';
import type { AnyItemLists } from '../core/types';

/** One reusable proxy row: `values` is the row (0 off its entries) until `clear()`. */
export class ProxyRow {
  readonly values: Float32Array;
  private readonly touched: Int32Array;
  private readonly marked: Uint8Array;
  private readonly skipped: Uint8Array;
  private count = 0;

  constructor(items: number) {
    this.values = new Float32Array(items);
    this.touched = new Int32Array(items);
    this.marked = new Uint8Array(items);
    this.skipped = new Uint8Array(items);
  }

  /** values[item] += value, rounded to float32 as a Float32Array row adding it would be. */
  add(item: number, value: number): void {
    if (!this.marked[item]) {
      this.marked[item] = 1;
      this.touched[this.count++] = item;
    }
    this.values[item]! += value;
  }

  /** Adds `lists`' row of `clicks` (weighted): neighbourRow's additions, in its order. */
  addLists(lists: AnyItemLists, clicks: ArrayLike<number>, weights: ArrayLike<number>): this {
    forEachClickedEntry(lists, clicks, weights, (item, value) => this.add(item, value));
    return this;
  }

  /** Adds `weight` × `other`, entry by entry (a dense row's `out[i] += weight * other[i]`; zeros add nothing). */
  addScaled(other: ProxyRow, weight: number): this {
    for (let k = 0; k < other.count; k++) {
      const i = other.touched[k]!;
      this.add(i, weight * other.values[i]!);
    }
    return this;
  }

  /**
   * metrics.rankOf(values, target, exclusionMask(items, excluded)): the 1-based rank by
   * descending score, equal scores in catalog order, NaN last. The entries are compared;
   * the items never touched (score 0) are counted.
   */
  rank(target: number, excluded: ArrayLike<number>): number {
    const n = this.values.length;
    if (!(target >= 0 && target < n)) throw new Error(`Item index ${target} is outside the ${n} scores.`);
    const clean = (s: number): number => (Number.isNaN(s) ? -Infinity : s);
    let zerosSkipped = 0;
    let zerosSkippedBelow = 0;
    const marks: number[] = [];
    for (let k = 0; k < excluded.length; k++) {
      const e = excluded[k]!;
      if (e === target || this.skipped[e]) continue;
      this.skipped[e] = 1;
      marks.push(e);
      if (!this.marked[e]) {
        zerosSkipped++;
        if (e < target) zerosSkippedBelow++;
      }
    }
    const t = clean(this.values[target]!);
    let rank = 1;
    let touchedBelow = 0;
    for (let k = 0; k < this.count; k++) {
      const i = this.touched[k]!;
      if (i < target) touchedBelow++;
      if (i === target || this.skipped[i]) continue;
      const s = clean(this.values[i]!);
      if (s > t || (s === t && i < target)) rank++;
    }
    if (0 > t) rank += n - this.count - (this.marked[target] ? 0 : 1) - zerosSkipped;
    else if (0 === t) rank += target - touchedBelow - zerosSkippedBelow;
    for (const e of marks) this.skipped[e] = 0;
    return rank;
  }

  /** Back to the all-zero row. */
  clear(): void {
    for (let k = 0; k < this.count; k++) {
      const i = this.touched[k]!;
      this.values[i] = 0;
      this.marked[i] = 0;
    }
    this.count = 0;
  }
}
