import type { ItemContent } from '../data/dataset';

/** One user's positives as catalog indices, in protocol order (timestamp, then fnv1a32(user:item)). */
export interface UserPositives {
  readonly user: string;
  readonly items: Int32Array;
}

/** Everything a method may see for one fold of protocol v1. */
export interface FoldData {
  readonly fold: number;
  /** Every distinct item id of the interaction log, ascending JS string order. */
  readonly catalog: readonly string[];
  readonly itemIndex: ReadonlyMap<string, number>;
  /** All training users (seven buckets) with at least one positive. */
  readonly train: readonly UserPositives[];
  /** Validation users (one bucket) with at least `minPositives` positives: the only tuning data. */
  readonly validation: readonly UserPositives[];
  /** Evaluated test users (two buckets) with at least `minPositives` positives. */
  readonly test: readonly UserPositives[];
  /** Content per catalog index (undefined where the source describes nothing). */
  readonly content: readonly (ItemContent | undefined)[];
}

/** One score per catalog item; higher ranks first, ties in catalog order. */
export type Scores = Float32Array | Float64Array;
