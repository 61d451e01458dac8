import { DEFAULT_NEGATIVE_WEIGHT } from './feedback';
import { clickSignals } from './clicks';
import { kernelFor, type KernelChoice } from './kernels';
import type { AdaptModel, ClickSignals, Feedback, StepMetrics, UserState } from './types';

export interface AdaptOptions {
  /** Gradient steps (the artifact's default for the runtime). */
  readonly steps: number;
  /** Total weight of the impressions relative to the clicks' total of 1. */
  readonly negativeWeight?: number;
  /**
   * Checked between steps: a newer click abandons this run. With a signal,
   * adapt yields to the event loop between steps so that the click that sets
   * it can arrive (on cpu/wasm, `await t.data()` resolves without yielding).
   */
  readonly signal?: { readonly aborted: boolean };
  readonly onStep?: (metrics: StepMetrics) => void;
  /** tfjs operations, or host loops (default `auto`: host loops on cpu/wasm), or a kernel object; same results either way. */
  readonly kernel?: KernelChoice;
  /** The feedback's click signals (clickSignals), when the caller built them for initialState already: built here otherwise. */
  readonly signals?: ClickSignals;
}

export interface AdaptResult {
  /** The parameters reached (the caller owns and disposes them). */
  readonly state: UserState;
  readonly steps: readonly StepMetrics[];
  /** True when the signal stopped the run before its last step. */
  readonly aborted: boolean;
  /** True when a step gave a non-finite or exploded loss: `state` is the last good one (earlier steps kept). */
  readonly rolledBack: boolean;
}

/**
 * A step whose support loss exceeds this multiple of the start's has exploded
 * (a gradient step lowers that loss; cross-entropy over n items starts near
 * log n), and is rolled back like a non-finite one.
 */
const EXPLODED = 10;

/**
 * Adapts a visitor's parameters with `steps` gradient steps on their feedback.
 * Never mutates `start` or the model; returns new tensors and per-step metrics.
 *
 * The one driver of every kernel (learn2learn's clone-then-adapt): the kernel
 * only turns a state into the next one and scores it; this loop owns the abort
 * between steps, the rollback of a step whose loss is not finite or exploded,
 * and the last good state, which is what the caller gets.
 */
export async function adapt(model: AdaptModel, start: UserState, feedback: Feedback, options: AdaptOptions): Promise<AdaptResult> {
  const { steps, signal } = options;
  const signals = options.signals ?? clickSignals(model, feedback.clicks, feedback.clickWeights, model.decay);
  const problem = { feedback, negativeWeight: options.negativeWeight ?? DEFAULT_NEGATIVE_WEIGHT, signals, steps };
  const run = kernelFor(options.kernel, model.items).run(model, start, problem);
  const metrics: StepMetrics[] = [];
  const record = (step: number, loss: number, t0: number): void => {
    const m = { step, loss, ms: now() - t0 };
    metrics.push(m);
    options.onStep?.(m);
  };
  let good: unknown = null;
  let aborted = false;
  let rolledBack = false;
  try {
    let t0 = now();
    good = await run.first();
    const startLoss = await run.loss(good);
    record(0, startLoss, t0);
    for (let step = 1; step <= steps; step++) {
      if (signal) {
        await yieldToEventLoop();
        if (signal.aborted) {
          aborted = true;
          break;
        }
      }
      t0 = now();
      const next = await run.step(good, step === steps);
      const loss = await run.loss(next);
      if (!Number.isFinite(loss) || loss > EXPLODED * Math.max(startLoss, 1)) {
        // A step that overflowed or exploded: keep the last good parameters and stop here.
        run.drop(next);
        rolledBack = true;
        break;
      }
      run.drop(good);
      good = next;
      record(step, loss, t0);
    }
    const state = run.keep(good);
    good = null;
    return { state, steps: metrics, aborted, rolledBack };
  } finally {
    if (good !== null) run.drop(good);
    run.dispose();
  }
}

/** A macrotask turn (MessageChannel: no 4 ms timer clamping), so queued messages run. */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
