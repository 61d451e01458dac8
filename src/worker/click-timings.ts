/**
 * Where a click's time goes inside the worker, phase by phase: returned with
 * every click (ClickResult.timings), so a site engineer sees whether storage,
 * the rank before adapting, the adaptation or the ranking is slow on their
 * visitors' devices, and the benchmarks read the same numbers.
 */

/** A click's phases in the order they run (ms each; a phase the click skipped is 0). */
export const CLICK_PHASES = [
  /** IndexedDB: the stored events read, the click stored, the events read again. */
  'events',
  /** The clicked item's rank under the parameters before this click (prequential metric). */
  'rank',
  /** The clicks' signals (weights, item-item and sequential rows) and the start parameters from them. */
  'start',
  /** The gradient steps: a catalog sweep for the start and one per step. */
  'adapt',
  /** The new top items, pushed as the 'ranking' event. */
  'ranking',
] as const;

export type ClickPhase = (typeof CLICK_PHASES)[number];

/** ms per phase, and `total` (the click's time in the worker, from the request to its result). */
export type ClickTimings = Readonly<Record<ClickPhase | 'total', number>>;

/** Measures a click's phases: each `lap(phase)` adds the time since the previous lap to that phase. */
export class ClickTimer {
  private readonly start = now();
  private last = this.start;
  private readonly ms: Record<ClickPhase, number> = { events: 0, rank: 0, start: 0, adapt: 0, ranking: 0 };

  lap(phase: ClickPhase): void {
    const t = now();
    this.ms[phase] += t - this.last;
    this.last = t;
  }

  /** The phases so far, rounded to 0.1 ms, and the total since the timer started. */
  result(): ClickTimings {
    const round = (v: number) => Math.round(v * 10) / 10;
    const phases = Object.fromEntries(CLICK_PHASES.map((p) => [p, round(this.ms[p])])) as Record<ClickPhase, number>;
    return { ...phases, total: round(now() - this.start) };
  }
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
