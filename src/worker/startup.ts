/**
 * Where a worker's start went, phase by phase (ReadyInfo.startup), so that a
 * slow cold start says what to fix: reading the cache, the network, hashing,
 * decoding, choosing the backend, restoring the visitor, the first ranking.
 */

/** The phases of a start, in order; a phase that did not run is absent. */
export const STARTUP_PHASES = ['storage', 'cacheRead', 'manifest', 'download', 'verify', 'store', 'decode', 'build', 'backend', 'restore', 'ranking'] as const;
export type StartupPhase = (typeof STARTUP_PHASES)[number];

/** ms per phase. */
export type StartupTimes = Partial<Record<StartupPhase, number>>;

/** Splits elapsed time into phases: each lap charges the time since the previous one. */
export class Stopwatch {
  readonly times: Record<string, number> = {};
  private last: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Charges the time since the previous lap (or the start) to `phase`, ms. */
  lap(phase: StartupPhase): void {
    const t = this.now();
    this.move(phase, t - this.last);
    this.last = t;
  }

  /** Moves `ms` already charged to `from` over to `to` (work nested inside another phase, timed apart). */
  move(to: StartupPhase, ms: number, from?: StartupPhase): void {
    if (from !== undefined) this.times[from] = (this.times[from] ?? 0) - ms;
    this.times[to] = (this.times[to] ?? 0) + ms;
  }

  /** The phases in order, ms rounded to 0.1. */
  result(): StartupTimes {
    const out: StartupTimes = {};
    for (const phase of STARTUP_PHASES) if (this.times[phase] !== undefined) out[phase] = Math.round(this.times[phase]! * 10) / 10;
    return out;
  }
}
