import type { MetaParams } from '../core/params';
import type { Transitions } from '../core/transitions';
import type { ItemInputs, Neighbours } from '../core/types';
import type { UserPositives } from '../protocol/types';
import type { TrainConfig } from './config';
import type { CountChoice } from './types';
import { validate } from './validate';

/**
 * How many item-item neighbours a shipped model keeps per item: a few counts
 * tried on the validation users (the model's own objective, with its transition
 * lists), and the smallest within COUNT_TOLERANCE of the best kept. The lists are most of what a visitor downloads (format v2: ~1–2
 * bytes per neighbour), so a count that validates as well costs less for nothing.
 */
export const NEIGHBOUR_COUNTS: readonly number[] = [10, 20, 50];

/** Relative validation loss accepted for a smaller count (the same 0.5% the format's quality target allows). */
export const COUNT_TOLERANCE = 0.005;

/** The first `count` neighbours of every item (the lists are sorted most similar first). */
export function truncateNeighbours(neighbours: Neighbours, count: number): Neighbours {
  const { m } = neighbours;
  if (count >= m) return neighbours;
  const items = neighbours.ids.length / m;
  const ids = new Int32Array(items * count);
  const sims = new Float32Array(items * count);
  for (let i = 0; i < items; i++) {
    ids.set(neighbours.ids.subarray(i * m, i * m + count), i * count);
    sims.set(neighbours.sims.subarray(i * m, i * m + count), i * count);
  }
  return { m: count, ids, sims };
}

/** The counts a choice weighs for lists of `m` neighbours: those of `counts` below m, and m itself, ascending. */
export function countCandidates(counts: readonly number[], m: number): number[] {
  return [...new Set([...counts.filter((c) => c > 0 && c < m), m])].sort((a, b) => a - b);
}

/** How a count search runs: what it tries, what it already knows, and when it must be done. */
export interface CountSearch {
  readonly counts?: readonly number[];
  readonly tolerance?: number;
  /** The validation score of the lists as they are (count m), already measured by the run on the same users: reused, not recomputed. */
  readonly known?: number;
  /** The time budget's end (ms, `now`'s clock): a trial starts only if it can end by then, judged by `validationMs`. */
  readonly deadline?: number;
  /** What one validation of this model takes, ms (the run's last one); each trial's own time replaces it. */
  readonly validationMs?: number;
  /** Clock in ms (default performance.now); tests pass their own. */
  readonly now?: () => number;
}

/** A count choice, and how many trials it ran when the budget stopped it (absent when it did not). */
export type CountResult = CountChoice & { readonly stoppedAfter?: number };

/**
 * Scores each candidate count with `score` (smallest first; m reused when
 * known) and keeps the smallest within the tolerance of the best. Under a
 * deadline, a trial that would not end in time is not started: the rest are
 * recorded as skipped, and the choice is made among the counts scored.
 */
export async function searchCount(m: number, score: (count: number) => Promise<number>, search: CountSearch = {}): Promise<CountResult> {
  const { counts = NEIGHBOUR_COUNTS, tolerance = COUNT_TOLERANCE, known, deadline, now = () => performance.now() } = search;
  const candidates = countCandidates(counts, m);
  const trials: { count: number; validation: number }[] = known === undefined ? [] : [{ count: m, validation: known }];
  const toTry = candidates.filter((c) => known === undefined || c !== m);
  let estimate = search.validationMs ?? 0;
  let ran = 0;
  for (const count of toTry) {
    const started = now();
    if (deadline !== undefined && started + estimate > deadline) break;
    trials.push({ count, validation: await score(count) });
    estimate = now() - started;
    ran += 1;
  }
  trials.sort((a, b) => a.count - b.count);
  const skipped = toTry.slice(ran);
  // With nothing scored (no known score, no time), the lists stay as they are.
  const count = trials.length ? pickCount(trials, tolerance) : m;
  return { count, trials, ...(skipped.length ? { skipped, stoppedAfter: ran } : {}) };
}

/** Validates the model with each count (at most the lists' own) and picks the smallest within the tolerance of the best. */
export async function chooseNeighbourCount(
  params: MetaParams,
  inputs: ItemInputs,
  validation: readonly UserPositives[],
  objective: Pick<TrainConfig, 'objective' | 'validationKs'>,
  steps: number,
  lists: { readonly neighbours: Neighbours; readonly transitions?: Transitions | undefined },
  search: CountSearch = {},
): Promise<CountResult> {
  const { neighbours, transitions } = lists;
  const score = async (count: number) => (await validate(params, inputs, validation, objective, steps, { neighbours: truncateNeighbours(neighbours, count), transitions })).mean;
  return searchCount(neighbours.m, score, search);
}

/** The smallest count whose validation score is within `tolerance` (relative) of the best. */
export function pickCount(trials: readonly { readonly count: number; readonly validation: number }[], tolerance = COUNT_TOLERANCE): number {
  const best = Math.max(...trials.map((t) => t.validation));
  return [...trials].sort((a, b) => a.count - b.count).find((t) => t.validation >= (1 - tolerance) * best)!.count;
}

/** The count choice as a stage of a training run: reported, and its budget stop returned for the run's record. */
export async function countStage(
  model: { readonly params: MetaParams; readonly inputs: ItemInputs; readonly neighbours?: Neighbours | undefined; readonly transitions?: Transitions | undefined },
  validation: readonly UserPositives[],
  config: Pick<TrainConfig, 'objective' | 'validationKs'>,
  steps: number,
  search: CountSearch & { readonly reporter: { stage(name: string, total: number, unit: string): void; advance(done: number, detail?: string): void } },
): Promise<{ choice: CountChoice; stop?: { stage: string; iteration: number } } | null> {
  const { neighbours, transitions } = model;
  if (!neighbours || neighbours.m === 0) return null;
  const { reporter } = search;
  const total = countCandidates(search.counts ?? NEIGHBOUR_COUNTS, neighbours.m).length - (search.known === undefined ? 0 : 1);
  if (total > 0) reporter.stage(COUNT_STAGE, total, 'trials');
  let done = 0;
  const score = async (count: number) => {
    const v = (await validate(model.params, model.inputs, validation, config, steps, { neighbours: truncateNeighbours(neighbours, count), transitions })).mean;
    reporter.advance(++done, `${count} neighbours: ${v.toFixed(4)}`);
    return v;
  };
  const { stoppedAfter, ...choice } = await searchCount(neighbours.m, score, search);
  if (total > 0) reporter.advance(total, choice.skipped ? `${choice.skipped.join(', ')} not tried (time budget)` : `keeping ${choice.count}`);
  return { choice, ...(stoppedAfter !== undefined ? { stop: { stage: COUNT_STAGE, iteration: stoppedAfter } } : {}) };
}

/** The stage name a budget stop of the count choice is recorded under (`training.budget.stoppedEarly`). */
export const COUNT_STAGE = 'neighbour count';
