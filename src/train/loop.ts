import type { TrainReporter } from './progress';

/** One checkpoint of a training run. */
export interface TrainProgress {
  readonly iteration: number;
  /** Mean training loss of the batches since the previous checkpoint. */
  readonly loss: number;
  /** Tasks (users) trained on per second since the previous checkpoint, validation excluded. */
  readonly tasksPerSecond: number;
  /** The validation score on the run's objective (train/validate.ts), when validated. */
  readonly validation?: number;
}

/** A validation at a checkpoint: its objective (higher is better) and how to keep what scored it. */
export interface Checkpoint<T> {
  readonly score: number;
  /** Called only when `score` is the best so far. */
  keep(): Promise<T>;
}

export interface TrainLoop<T> {
  readonly iterations: number;
  /** Batches between checkpoints; the last batch is always one. */
  readonly validateEvery: number;
  /** Tasks per batch: the unit of tasks/s. */
  readonly batchSize: number;
  /** Trains on batch `iteration` (1-based); resolves with its loss. */
  batch(iteration: number): Promise<number>;
  /** Validates at a checkpoint; undefined when this run does not validate. */
  checkpoint?(iteration: number): Promise<Checkpoint<T> | undefined>;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Clock in ms (default performance.now); tests pass their own. */
  readonly now?: () => number;
  /**
   * Time budget: when `now()` reaches it, the loop stops after the current
   * batch, validating there first (so the run still ends on a checkpoint).
   */
  readonly deadline?: number;
  /**
   * Time the run still needs after the loop's last batch (its last
   * validation, what follows), ms: the loop stops once `now()` plus this
   * reaches the deadline. Read after every batch, so it can follow measured costs.
   */
  readonly reserveMs?: () => number;
  /** Where to report each batch (the stage is named `stage`, counted in batches). */
  readonly reporter?: TrainReporter;
  readonly stage?: string;
  /**
   * The validation score the run already holds from elsewhere (the ALS start
   * that meta-training competes with). A checkpoint below `floor` whose gain
   * over the checkpoint before it, repeated at every checkpoint left, would
   * still not reach `floor` ends the loop there (see `falling`): the batches
   * left would be trained and validated only to be discarded. The best
   * checkpoint is kept as ever. Undefined: the loop runs all its batches.
   */
  readonly floor?: number;
}

/** What a loop ran: its checkpoints, the best validated one, and the batch it stopped at if the budget ran out. */
export interface LoopResult<T> {
  readonly history: TrainProgress[];
  readonly best: { score: number; value: T } | null;
  /** The last batch run, when the time budget stopped the loop before `iterations`. */
  readonly stoppedAt?: number;
  /** The last batch run, when validation could no longer reach the floor before `iterations` (see TrainLoop.floor). */
  readonly fellAt?: number;
}

/**
 * The loop meta-training and pooled pretraining share: `iterations` batches,
 * a checkpoint every `validateEvery` of them and after the last, each with
 * the window's mean loss and tasks/s (counted from the batches that window
 * really ran, so a short last window is not overstated), and the best
 * validated checkpoint kept. A deadline ends it early, on a checkpoint.
 */
export async function trainLoop<T>(loop: TrainLoop<T>): Promise<LoopResult<T>> {
  for (const key of ['iterations', 'validateEvery', 'batchSize'] as const) {
    const value = loop[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`Training needs ${key} to be a whole number ≥ 1, got ${value}.`);
  }
  const now = loop.now ?? (() => performance.now());
  const history: TrainProgress[] = [];
  let best: { score: number; value: T } | null = null;
  let since = now();
  let batches = 0;
  let lossSum = 0;
  let stoppedAt: number | undefined;
  let fellAt: number | undefined;
  loop.reporter?.stage(loop.stage ?? 'training', loop.iterations, 'batches');
  for (let it = 1; it <= loop.iterations; it++) {
    lossSum += await loop.batch(it);
    batches += 1;
    loop.reporter?.advance(it, `loss ${(lossSum / batches).toFixed(4)}`);
    const outOfTime = (): boolean => loop.deadline !== undefined && now() + (loop.reserveMs?.() ?? 0) >= loop.deadline && it < loop.iterations;
    if (it % loop.validateEvery !== 0 && it !== loop.iterations && !outOfTime()) continue;
    const tasksPerSecond = (batches * loop.batchSize * 1000) / (now() - since);
    const checkpoint = await loop.checkpoint?.(it);
    const p: TrainProgress = { iteration: it, loss: lossSum / batches, tasksPerSecond, ...(checkpoint ? { validation: checkpoint.score } : {}) };
    const previous = history.at(-1)?.validation;
    history.push(p);
    loop.onProgress?.(p);
    if (checkpoint && (!best || checkpoint.score > best.score)) best = { score: checkpoint.score, value: await checkpoint.keep() };
    since = now();
    batches = 0;
    lossSum = 0;
    if (outOfTime()) {
      stoppedAt = it;
      break;
    }
    if (checkpoint && it < loop.iterations && falling(checkpoint.score, previous, loop.floor, checkpointsAfter(it, loop))) {
      fellAt = it;
      break;
    }
  }
  return { history, best, ...(stoppedAt !== undefined ? { stoppedAt } : {}), ...(fellAt !== undefined ? { fellAt } : {}) };
}

/**
 * Whether a checkpoint's `score` ends the loop (TrainLoop.floor): below the
 * floor, and still below it after `remaining` more checkpoints that each gain
 * what this one gained over `previous` (nothing when it fell). Validation
 * curves of meta-training gain less per checkpoint as they go (MovieLens
 * 100K v1: +0.05 then +0.01 nDCG@10; Last.fm v2: +0.007 then +0.003
 * HR@10), so the straight line is the optimistic reach; a run above the
 * floor, or at its first checkpoint (no gain known yet), always goes on.
 */
export function falling(score: number, previous: number | undefined, floor: number | undefined, remaining: number): boolean {
  if (floor === undefined || previous === undefined || score >= floor) return false;
  return score + remaining * Math.max(0, score - previous) < floor;
}

/** Checkpoints the loop still has after batch `it` if it runs to the end: every validateEvery-th batch, and the last. */
export function checkpointsAfter(it: number, loop: Pick<TrainLoop<unknown>, 'iterations' | 'validateEvery'>): number {
  const everyN = Math.floor(loop.iterations / loop.validateEvery) - Math.floor(it / loop.validateEvery);
  return everyN + (loop.iterations % loop.validateEvery === 0 ? 0 : 1);
}

/** Mean tasks/s over the checkpoints of a run. */
export function meanRate(history: readonly TrainProgress[]): number {
  return history.reduce((sum, h) => sum + h.tasksPerSecond, 0) / Math.max(1, history.length);
}
