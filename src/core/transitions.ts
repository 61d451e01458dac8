/**
 * The sequential term: for every item, the items that most often came right
 * after it in training users' histories, with weight trans(a, b) / (out(a) +
 * shrink) (a shrunk share of what followed a). A visitor's last few clicks turn
 * the lists into one row over the catalog, the j-th most recent click weighing
 * decay^j; the model adds that row with an adapted weight. Pure, tensor-free:
 * the lists have the same layout as the item-item neighbours.
 */
import type { Neighbours } from './neighbours';

/** Clicks looked back on: decay^5 is small for any decay the trainer learns. */
export const SEQ_LOOKBACK = 5;

/** Weight per click (oldest first) of the sequential row: decay^j for the j-th most recent of the last SEQ_LOOKBACK, 0 before; and the derivatives. */
export function seqWeights(t: number, decay: number): { weights: Float64Array; dDecay: Float64Array } {
  const weights = new Float64Array(t);
  const dDecay = new Float64Array(t);
  for (let j = 0; j < Math.min(t, SEQ_LOOKBACK); j++) {
    weights[t - 1 - j] = decay ** j;
    dDecay[t - 1 - j] = j === 0 ? 0 : j * decay ** (j - 1);
  }
  return { weights, dDecay };
}

/** Transition lists: `ids[a·m + r]` is the r-th most frequent successor of a (-1 pads), `sims` its weight. */
export type Transitions = Neighbours;
