/**
 * The WGSL click kernel behind core's driver (core/adapt.ts), as an
 * AdaptKernel: adapt(), rank() and the rest run a model's clicks on the GPU.
 *
 * A click is one submission: the start, every step, the losses, the rollback
 * (on the GPU: undoing a step from the host would cost a read-back per step)
 * and the top k, read back once. So the run computes the whole adaptation in
 * first(); step() and loss() hand out what that read-back holds (the state
 * and loss of every step), keep() makes tensors of the step the driver kept,
 * and the driver's rules (abort between steps, rollback, last good state)
 * apply unchanged. A step the GPU rolled back reports a non-finite loss, so
 * the driver rolls it back too: the GPU did not continue from it.
 *
 * rank() right after a click answers from the ranking that click computed;
 * rankOf() (a click's rank before adapting) counts in the scores the last
 * submission left on the GPU, inside the next submission when one starts in
 * the same task: a worker click is one read-back in all.
 */

import * as tf from '@tensorflow/tfjs-core';
import { topK } from '../math/top-k';
import { addRow } from '../core/int8-rows';
import type { AdaptKernel, AdaptModel, AdaptProblem, AnyItemTable, KernelRun, SparseRow, UserState } from '../core/types';
import type { AdaptConstants, ClickRequest, GpuClickExtras, GpuClickKernel, GpuClickResult, RankCount } from './click-types';
import type { SequentialModel } from './model-input';
import { fromRanking, sortedDistinct, StateRegistry, type KnownState } from './states';
import { MAX_K } from './work-layout';

/** The WGSL kernel of one model, for the driver; also the GPU kernel's counters. */
export interface WgslKernel extends AdaptKernel {
  readonly gpu: GpuClickKernel;
  rankOf(items: AnyItemTable, state: UserState, target: number, exclude: Int32Array): Promise<number>;
  /** Frees the GPU kernel (its table and workspace); pending ranks reject. */
  dispose(): void;
}

export interface WgslKernelOptions {
  /** Items each click ranks ahead for the rank() that follows it (default 20, the worker's ranking). */
  readonly rankAhead?: number;
  /** Called right after each submission, the click still in flight (diagnostics: a test loses the device mid-click). */
  readonly afterSubmit?: () => void;
}

interface Pending {
  readonly count: RankCount;
  readonly of: KnownState;
  resolve(rank: number): void;
  reject(error: unknown): void;
}

/** The AdaptKernel of `gpu`, a click kernel built for `model` (createClickKernel on clickModelOf(model)). */
export function wgslKernel(gpu: GpuClickKernel, model: SequentialModel, constants: AdaptConstants, options: WgslKernelOptions = {}): WgslKernel {
  const ahead = Math.min(MAX_K, Math.max(1, options.rankAhead ?? 20));
  const states = new StateRegistry();
  const withKnn = model.neighbours !== undefined;
  const withSeq = model.transitions !== undefined;
  let last = gpu.counters().clicks;
  let pending: Pending | null = null;

  const owns = (items: AnyItemTable): void => {
    if (items.vectors !== model.items.vectors) throw new Error('This WGSL kernel holds another model\'s item table on the GPU: build one per model (wgslKernel).');
  };

  /** Submits `request` with any pending rank count (it reads the scores the previous submission ranked). */
  const submit = (request: ClickRequest, extras?: GpuClickExtras): { id: number; done: Promise<GpuClickResult> } => {
    const counted = pending;
    pending = null;
    const done = gpu.click(counted ? { ...request, count: counted.count } : request, extras);
    // A request the kernel refused was not submitted: `last` stays, as do the slots.
    const id = gpu.counters().clicks;
    last = id;
    if (counted) done.then((r) => counted.resolve(r.rank!), counted.reject);
    options.afterSubmit?.();
    return { id, done };
  };

  /** A ranking of a known state; the state is resident afterwards (its scores in the ranked slot). */
  const rankState = (known: KnownState, k: number, exclude: Int32Array) => {
    const request: ClickRequest = { clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 0, negativeWeight: 0, k, exclude, start: known.values, rows: known.rows, losses: false };
    const submitted = submit(request);
    known.submission = submitted.id;
    return submitted.done;
  };

  /** Every item's score under `state`, read back (the caller's to keep). */
  const allScores = async (state: UserState): Promise<Float32Array> => {
    const known = states.now(state) ?? (await states.read(state));
    const request: ClickRequest = { clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 0, negativeWeight: 0, k: 1, start: known.values, rows: known.rows, losses: false };
    const submitted = submit(request, { scores: true });
    known.submission = submitted.id;
    return (await submitted.done).allScores!.slice();
  };

  /** A pending count no submission took in its task goes alone, with a ranking of the state it counts in. */
  const flush = (): void => {
    if (!pending) return;
    void rankState(pending.of, 1, new Int32Array(0)).catch(() => {});
  };

  return {
    name: 'wgsl',
    gpu,

    /**
     * As the host kernel's start (model-v2): init + protoScale · trust · Σ w_j context(c_j), with core's
     * click signals (recency × rating weights, evidence, the two rows), computed with tfjs operations.
     */
    initialState(m, clicks, signals) {
      const t = clicks.length;
      const trust = signals.count / (signals.count + Math.exp(constants.logShrink));
      const user = tf.tidy(() => {
        const init = tf.reshape(m.params.userInit, [1, -1]);
        if (t === 0) return init.clone() as tf.Tensor2D;
        const { context } = m.items;
        if (!(context instanceof tf.Tensor)) {
          // An int8 table (format v2): the clicked items' context rows summed on the host, as the host kernel does.
          const sum = new Float64Array(context.dim);
          clicks.forEach((c, j) => addRow(context, c, constants.protoScale * trust * signals.weights[j]!, sum));
          return tf.add(init, tf.tensor2d(Float32Array.from(sum), [1, context.dim])) as tf.Tensor2D;
        }
        const coefs = tf.tensor2d(Float32Array.from(signals.weights, (w) => constants.protoScale * trust * w), [1, t]);
        return tf.add(init, tf.matMul(coefs, tf.gather(context, clicks))) as tf.Tensor2D;
      });
      const row = (r: SparseRow | null): SparseRow => r ?? { items: new Int32Array(0), values: new Float32Array(0) };
      return {
        user,
        pop: tf.tensor2d([constants.popInit], [1, 1]),
        ...(withKnn ? { knn: tf.tensor2d([Math.fround(Math.exp(constants.logKnnInit) * trust)], [1, 1]), neighbours: row(signals.neighbours) } : {}),
        ...(withSeq ? { seq: tf.tensor2d([Math.fround(Math.exp(constants.logSeqInit))], [1, 1]), transitions: row(signals.transitions) } : {}),
      };
    },

    run(m: AdaptModel, start: UserState, problem) {
      owns(m.items);
      return clickRun(start, problem, ahead);
    },

    async scores(items, state) {
      owns(items);
      return allScores(state);
    },

    async rank(items, state, k, exclude) {
      owns(items);
      if (k <= 0) return { indices: new Int32Array(0), scores: new Float32Array(0) };
      const skip = sortedDistinct(exclude);
      const known = states.now(state) ?? (await states.read(state));
      const cached = fromRanking(known.ranking, k, skip);
      if (cached) return cached;
      // Beyond the GPU selection's width: the catalog's scores come back once and are ranked here, by the same rule.
      if (k > MAX_K) return topK(await allScores(state), k, new Set(skip));
      const r = await rankState(known, k, skip);
      known.ranking = { k, exclude: skip, indices: r.indices, scores: r.scores };
      return { indices: r.indices.slice(), scores: r.scores.slice() };
    },

    async rankOf(items, state, target, exclude) {
      owns(items);
      const known = states.now(state) ?? (await states.read(state));
      while (pending || known.submission !== last) {
        // An earlier count goes first; a state whose scores are not on the GPU is ranked first (a read-back of its own).
        if (pending) flush();
        else await rankState(known, 1, new Int32Array(0));
      }
      return new Promise<number>((resolve, reject) => {
        const mine: Pending = { count: { target, exclude }, of: known, resolve, reject };
        pending = mine;
        // Taken by a submission that starts in this task (the click's adaptation), else sent alone.
        queueMicrotask(() => {
          if (pending === mine) flush();
        });
      });
    },

    dispose() {
      const left = pending;
      pending = null;
      left?.reject(new Error('The WGSL kernel was disposed before the rank was counted.'));
      gpu.dispose();
    },
  };

  /** One adaptation: a single submission in first(), the steps handed out from its read-back. */
  function clickRun(start: UserState, problem: AdaptProblem, k: number): KernelRun<number> {
    let result: GpuClickResult | null = null;
    let id = 0;
    const got = (): GpuClickResult => {
      if (!result) throw new Error('A WGSL run was asked for a step before first(): call first() and await it.');
      return result;
    };
    const accepted = () => got().steps.length - 1;
    return {
      async first() {
        const known = states.now(start) ?? (await states.read(start));
        const { feedback } = problem;
        const submitted = submit({
          clicks: feedback.clicks,
          negatives: feedback.negatives,
          ...(feedback.clickWeights ? { clickWeights: feedback.clickWeights } : {}),
          steps: problem.steps,
          negativeWeight: problem.negativeWeight,
          k,
          start: known.values,
        });
        id = submitted.id;
        result = await submitted.done;
        return 0;
      },
      async loss(step) {
        const r = got();
        return step <= accepted() ? r.steps[step]!.loss : Infinity;
      },
      async step(step) {
        if (step + 1 >= got().trace.length) throw new Error(`The WGSL kernel computed ${got().trace.length - 1} step(s) of this click; step ${step + 1} does not exist (the driver and the GPU disagree on a rollback).`);
        return step + 1;
      },
      keep(step) {
        const r = got();
        const final = step === accepted();
        const skip = sortedDistinct(problem.feedback.clicks);
        const known: KnownState = {
          values: r.trace[step]!,
          rows: r.rows,
          ranking: final ? { k, exclude: skip, indices: r.indices, scores: r.scores } : null,
          submission: final ? id : 0,
        };
        return states.make(known, withKnn, withSeq);
      },
      drop() {},
      dispose() {},
    };
  }
}
