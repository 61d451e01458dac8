// What a training run tells whoever shows its progress. The run only reports;
// src/cli/progress.ts renders (a bar with rate and ETA on a terminal, plain
// lines otherwise), and the eval harness forwards notes to its own log.

/** Progress of a training run, stage by stage. */
export interface TrainReporter {
  /** A stage starts: `total` steps of `unit` (e.g. 300 batches, 22 trials). */
  stage(name: string, total: number, unit: string): void;
  /** `done` of the current stage's steps are finished; `detail` e.g. the running loss. */
  advance(done: number, detail?: string): void;
  /** A line worth keeping: a checkpoint, a choice. */
  note(text: string): void;
}

/** A reporter that shows nothing. */
export const SILENT_REPORTER: TrainReporter = { stage() {}, advance() {}, note() {} };

/** Milliseconds left of a budget that ends at `deadline` (performance.now() clock); Infinity without one. */
export function remainingMs(deadline: number | undefined, now = performance.now()): number {
  return deadline === undefined ? Infinity : deadline - now;
}
