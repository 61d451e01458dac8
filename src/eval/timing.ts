// Where an evaluation run's time went, as the reports record it.

/** Protocols the harness can run in one pass (see ../shared/BENCHMARK.md). */
export type Protocol = 'v1' | 'v2';

/** Seconds spent by one method, summed over folds. */
export interface MethodTiming {
  /** Fitting and tuning; a fit taken from the fold's registry costs nothing here (the method that made it paid). */
  fitSeconds: number;
  evalSeconds: number;
}

/** A report's `timing`: the run's wall clock, each protocol's share, and each method's. */
export interface RunTiming {
  /** Wall-clock seconds of the whole run: loading the data and every protocol, fold and method in it. */
  totalSeconds: number;
  /** CPU seconds of the whole process over the same span (every thread, user + system): on a shared machine, the measure that load does not inflate. */
  cpuSeconds?: number;
  /** Threads the folds ran on. */
  threads?: number;
  /**
   * Per protocol run: its methods' fit and evaluation seconds (a fit serving both protocols counts half in each),
   * summed over threads: with folds in parallel, more than the run's wall clock.
   */
  protocols: Partial<Record<Protocol, number>>;
  methods: Record<string, MethodTiming>;
}

/** CPU seconds used by this process so far, every thread (user + system). */
export function cpuSeconds(): number {
  // src/eval stays importable outside Node (see write.ts): there the run records no CPU time.
  if (typeof process === 'undefined') return NaN;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** A protocol's seconds: every method's fit and evaluation under it, over every fold. */
export function protocolSeconds(methods: readonly { readonly fit: number; readonly eval: number }[]): number {
  return methods.reduce((s, t) => s + t.fit + t.eval, 0);
}

/** The report's time section: the run's total, each protocol's share, then method by method. */
export function timingLines(timing: RunTiming): string[] {
  const shares = Object.entries(timing.protocols).map(([p, s]) => `protocol ${p} ${s.toFixed(1)} s`);
  const cpu = timing.cpuSeconds === undefined || !Number.isFinite(timing.cpuSeconds) ? '' : `, ${timing.cpuSeconds.toFixed(1)} CPU s`;
  const threads = timing.threads === undefined ? '' : ` on ${timing.threads} thread${timing.threads === 1 ? '' : 's'}`;
  const lines = [
    '',
    '## Time (seconds, all folds)',
    '',
    `Whole run: ${timing.totalSeconds.toFixed(1)} s wall${cpu}${threads} (${shares.join(', ')}; the rest is loading the data and building folds).`,
  ];
  const methods = Object.entries(timing.methods);
  if (methods.length) {
    lines.push('', '| method | fit + tune | evaluate |', '|---|---:|---:|');
    for (const [m, t] of methods) lines.push(`| ${m} | ${t.fitSeconds.toFixed(1)} | ${t.evalSeconds.toFixed(1)} |`);
  }
  return lines;
}
