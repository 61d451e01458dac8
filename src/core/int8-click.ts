/**
 * A click on an int8 model (int8-model.ts): the start from the clicks'
 * context rows, the gradient steps and the ranking, as host-path.ts and
 * host-kernel.ts do them on float tables, but reading the codes directly: one
 * int8 sweep per step, clicked and shown rows dequantized one at a time. No
 * float copy of the table exists. Pure and tensor-free.
 */

import { addOffset, hostFeedback, hostLoss, logSumExp, offsetItems, offsetMeans, type HostFeedback, type ScoreOffset } from './host-kernel';
import { int8Kernel, type Int8Kernel, type Int8KernelOptions } from './int8-kernel';
import type { Int8Model } from './int8-model';
import { addRow } from './int8-rows';
import { meanListRow } from './item-lists';
import { topK } from '../math/top-k';

/** A model with its sweep kernel (which holds the only copy of the item vectors). */
export interface Int8Scorer {
  readonly model: Int8Model;
  readonly kernel: Int8Kernel;
  readonly n: number;
  readonly dim: number;
}

/** One visitor's parameters: user vector, popularity weight, item-item weight (models with neighbours). */
export interface Int8State {
  readonly user: Float32Array;
  readonly pop: number;
  readonly knn?: number;
}

/** A visitor's feedback as catalog indices (see adapt.ts's Feedback). */
export interface Int8Feedback {
  readonly clicks: Int32Array;
  readonly negatives: Int32Array;
  readonly clickWeights?: Float32Array;
}

/**
 * Builds the sweep kernel of a model (SIMD where it runs). The scorer's model
 * reads the vectors and prior from the kernel's copy, so a caller that keeps
 * only the scorer holds one copy of the table.
 */
export function int8Scorer(model: Int8Model, options?: Int8KernelOptions): Int8Scorer {
  const kernel = int8Kernel(model.items.vectors, model.items.bias, options);
  const own = { ...model, items: { ...model.items, vectors: kernel.rows, bias: kernel.bias } };
  return { model: own, kernel, n: kernel.rows.n, dim: kernel.rows.dim };
}

const scalar = (model: Int8Model, name: 'popInit' | 'protoScale' | 'logLrPop' | 'logShrink' | 'logKnnInit' | 'logLrKnn'): number => model.user[name][0]!;

/** Evidence weight k / (k + κ) of k clicks. */
function trustOf(model: Int8Model, count: number): number {
  return count / (count + Math.exp(scalar(model, 'logShrink')));
}

/** The item-item row of some clicks (null without neighbours). */
function rowOf(scorer: Int8Scorer, clicks: Int32Array): Float32Array | null {
  return scorer.model.neighbours ? meanListRow(scorer.model.neighbours, clicks, new Float32Array(scorer.n)) : null;
}

/** Step-0 parameters: the initialization plus the clicks' weighted mean context vector (as hostInitialState). */
export function int8Start(scorer: Int8Scorer, clicks: Int32Array): Int8State {
  const { model, dim } = scorer;
  const user = new Float64Array(dim);
  user.set(model.user.userInit);
  const trust = trustOf(model, clicks.length);
  if (clicks.length > 0) {
    const weight = (scalar(model, 'protoScale') * trust) / clicks.length;
    for (const c of clicks) addRow(model.items.context, c, weight, user);
  }
  const start = { user: Float32Array.from(user), pop: scalar(model, 'popInit') };
  return model.neighbours ? { ...start, knn: Math.fround(Math.exp(scalar(model, 'logKnnInit')) * trust) } : start;
}

/** One sweep: scores (a copy), log-partition and, when asked, the softmax means. */
interface Sweep {
  readonly scores: Float32Array;
  readonly logZ: number;
  readonly meanVector: Float64Array | null;
  readonly meanBias: number;
  readonly meanOffset: number;
  readonly meanOffsets: Float64Array;
}

function sweep(kernel: Int8Kernel, state: Int8State, withMeans: boolean, offset: ScoreOffset | null): Sweep {
  const swept = kernel.scores(state.user, state.pop);
  const max = offset ? addOffset(swept.scores, swept.max, offset) : swept.max;
  const { z, sumBias } = kernel.softmax(max);
  const meanVector = withMeans ? Float64Array.from(kernel.weightedSum(), (v) => v / z) : null;
  const meanOffset = withMeans && offset ? offsetMeans(swept.scores, max, z, offset)[0]! : 0;
  return { scores: swept.scores.slice(), logZ: max + Math.log(z), meanVector, meanBias: sumBias / z, meanOffset, meanOffsets: Float64Array.of(meanOffset) };
}

/** One gradient step from a sweep (closed form, as hostStep): the new parameters. */
function step(scorer: Int8Scorer, state: Int8State, swept: Sweep, fb: HostFeedback, rates: { user: Float32Array; pop: number; knn: number }, row: Float32Array | null): Int8State {
  const { kernel, dim } = scorer;
  const gradUser = Float64Array.from(swept.meanVector!, (v) => v * fb.mass);
  let gradPop = swept.meanBias * fb.mass;
  let gradKnn = swept.meanOffset * fb.mass;
  const add = (item: number, g: number): void => {
    addRow(kernel.rows, item, g, gradUser);
    gradPop += g * kernel.bias[item]!;
    if (row) gradKnn += g * row[item]!;
  };
  fb.clicks.forEach((item, i) => add(item, -fb.weights[i]!));
  if (fb.lambda > 0) {
    const slateZ = logSumExp(fb.slate, swept.scores);
    fb.slate.forEach((item, j) => add(item, fb.lambda * (Math.exp(swept.scores[item]! - slateZ) * fb.mass - fb.slateWeights[j]!)));
  }
  const user = new Float32Array(dim);
  for (let d = 0; d < dim; d++) user[d] = state.user[d]! - rates.user[d]! * gradUser[d]!;
  const moved = { user, pop: Math.fround(state.pop - rates.pop * gradPop) };
  return row ? { ...moved, knn: Math.fround((state.knn ?? 0) - rates.knn * gradKnn) } : moved;
}

/** What a run reports per step (step 0: the start), as adapt()'s StepMetrics without timing. */
export interface Int8Run {
  /** Takes step `step` (0: evaluates the start) and returns the support loss after it. */
  advance(step: number): number;
  commit(): void;
  undo(): void;
  /** The parameters reached, and the scores of their last sweep (item-item term included). */
  finish(): { state: Int8State; scores: Float32Array | null };
}

/** `steps` gradient steps on the feedback from `start` (adapt()'s host run on the int8 table). */
export function int8Run(scorer: Int8Scorer, start: Int8State, feedback: Int8Feedback, negativeWeight: number, steps: number): Int8Run {
  const { model, kernel } = scorer;
  const fb = hostFeedback(feedback.clicks, feedback.negatives, negativeWeight, feedback.clickWeights);
  const count = feedback.clickWeights ? feedback.clickWeights.reduce((a, b) => a + b, 0) : feedback.clicks.length;
  const trust = trustOf(model, count);
  const rates = {
    user: Float32Array.from(model.user.logLrUser, (l) => trust * Math.exp(l)),
    pop: Math.fround(trust * Math.exp(scalar(model, 'logLrPop'))),
    knn: Math.fround(trust * Math.exp(scalar(model, 'logLrKnn'))),
  };
  const row = rowOf(scorer, feedback.clicks);
  const nonZero = row ? offsetItems(row) : null;
  const offsetOf = (s: Int8State): ScoreOffset | null => (row && nonZero ? { terms: [{ weight: s.knn ?? 0, row, items: nonZero }] } : null);
  let state: Int8State = row ? { ...start, knn: start.knn ?? 0 } : start;
  let swept: Sweep | null = null;
  let next: { state: Int8State; swept: Sweep } | null = null;
  return {
    advance(s) {
      const moved = s > 0 && swept ? step(scorer, state, swept, fb, rates, row) : state;
      // The last step's sweep needs no gradient sums: nothing steps from it.
      next = { state: moved, swept: sweep(kernel, moved, s < steps, offsetOf(moved)) };
      return hostLoss(next.swept, fb);
    },
    commit() {
      if (next) ({ state, swept } = next);
      next = null;
    },
    undo() {
      next = null;
    },
    finish: () => ({ state, scores: swept?.scores ?? null }),
  };
}

/** A step whose loss exceeds this multiple of the start's is rolled back (as adapt.ts). */
const EXPLODED = 10;

/**
 * A visitor's click on the int8 model: start from the clicks, `steps` steps with
 * adapt()'s roll-back rule, and the final scores ([n], the caller's).
 */
export function int8Adapt(scorer: Int8Scorer, feedback: Int8Feedback, steps: number, negativeWeight: number): { state: Int8State; scores: Float32Array; losses: number[]; rolledBack: boolean } {
  const run = int8Run(scorer, int8Start(scorer, feedback.clicks), feedback, negativeWeight, steps);
  const losses: number[] = [];
  let rolledBack = false;
  for (let s = 0; s <= steps; s++) {
    const loss = run.advance(s);
    if (s > 0 && (!Number.isFinite(loss) || loss > EXPLODED * Math.max(losses[0]!, 1))) {
      run.undo();
      rolledBack = true;
      break;
    }
    run.commit();
    losses.push(loss);
  }
  const { state, scores } = run.finish();
  return { state, scores: scores!, losses, rolledBack };
}

/** Scores of every item for a visitor with the item-item row of `clicks` ([n], a copy). */
export function int8Scores(scorer: Int8Scorer, state: Int8State, clicks: Int32Array): Float32Array {
  const scores = scorer.kernel.scores(state.user, state.pop).scores.slice();
  const row = rowOf(scorer, clicks);
  if (row) addOffset(scores, -Infinity, { terms: [{ weight: state.knn ?? 0, row, items: offsetItems(row) }] });
  return scores;
}

/** Top `k` items, best first, skipping `exclude`. */
export function int8Rank(scores: Float32Array, k: number, exclude: Int32Array = new Int32Array(0)): { indices: Int32Array; scores: Float32Array } {
  return topK(scores, k, new Set(exclude));
}
