// The row issue 14's scale benchmark reports under "runs", the same for both trainers:
// bench/train-scale-node.ts and bench/train-engines.ts declare theirs on it,
// bench/train-scale.ts builds the same shape, bench/train-scale-summary.ts reads it back.
// Each bench adds its own fields.

/** One training run at a given scale: { trainer, procs, items, users, interactions, tasks_per_s, wall_s, peak_rss_mb }. */
export interface ScaleRow {
  readonly trainer: 'node' | 'torch';
  readonly procs: number;
  readonly items: number;
  readonly users: number;
  readonly interactions: number;
  /** Meta-training tasks per second. */
  readonly tasks_per_s: number;
  /** Seconds to a validated artifact; null where only the training step was measured. */
  readonly wall_s: number | null;
  /** Peak resident memory, MB; null where only the training step was measured. */
  readonly peak_rss_mb: number | null;
}
