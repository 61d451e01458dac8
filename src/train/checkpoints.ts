// A pooled-pretraining run whose checkpoints are kept and judged afterwards: the
// pretrain + fine-tune baseline trains the same pooled trajectory whatever its
// objective (its validation only picks among the checkpoints), so the eval's v1
// and v2 fits of a fold can share one training and each judge it on its own.
import type { ParamName } from '../core/params';
import type { TrainProgress } from './loop';

/** Every checkpoint of one pooled run: its parameter arrays, and the run's history without validation scores. */
export interface PooledCheckpoints {
  readonly arrays: readonly Record<ParamName, Float32Array>[];
  readonly history: readonly TrainProgress[];
}

/** A training run that validates at its checkpoints through `validate` (pooledParams with its last argument). */
export type CheckpointedRun = (validate: (arrays: Record<ParamName, Float32Array>) => Promise<{ score: number; value: undefined }>) => Promise<{ history: readonly TrainProgress[] }>;

/**
 * Runs `train` keeping every checkpoint's arrays instead of validating them.
 * Not for a run with a deadline: its checkpoints there depend on how long
 * validation takes.
 */
export async function keptCheckpoints(train: CheckpointedRun): Promise<PooledCheckpoints> {
  const arrays: Record<ParamName, Float32Array>[] = [];
  // Every checkpoint scores the same, so only the first is kept as "best": nothing is copied twice.
  const trained = await train(async (a) => (arrays.push(a), { score: 0, value: undefined }));
  return { arrays, history: trained.history.map(({ iteration, loss, tasksPerSecond }) => ({ iteration, loss, tasksPerSecond })) };
}

/**
 * Judges the checkpoints in training order, as trainLoop would have at each of
 * them (the same calls in the same order), and keeps the first best: the
 * result pooledParams gives with `judge` as its validation.
 */
export async function judgeCheckpoints<T>(
  run: PooledCheckpoints,
  judge: (arrays: Record<ParamName, Float32Array>) => Promise<{ score: number; value: T }>,
  onProgress?: (p: TrainProgress) => void,
): Promise<{ history: TrainProgress[]; best: { arrays: Record<ParamName, Float32Array>; value: T } | null }> {
  const history: TrainProgress[] = [];
  let best: { score: number; arrays: Record<ParamName, Float32Array>; value: T } | null = null;
  for (const [i, arrays] of run.arrays.entries()) {
    const v = await judge(arrays);
    const p = { ...run.history[i]!, validation: v.score };
    history.push(p);
    onProgress?.(p);
    if (!best || v.score > best.score) best = { score: v.score, arrays, value: v.value };
  }
  return { history, best: best && { arrays: best.arrays, value: best.value } };
}
