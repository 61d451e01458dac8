import { ndcgObjective } from './evaluate.js';
import { evaluateV1, mergeV1, newV1Accumulator, v1Report, type EvalReport, type V1Accumulator, type V1Options } from './harness-v1.js';
import { evaluateV2Jointly, mergeV2, newV2Accumulator, v2Report, type EvalReportV2, type V2Accumulator } from './harness-v2.js';
import { prequentialObjective } from './prequential.js';
import { FitRegistry } from './registry.js';
import { cpuSeconds, protocolSeconds, type Protocol } from './timing.js';
import { buildFold, type PreparedData } from '../protocol/data.js';
import type { Method, Objective, Scorer } from './types.js';

export type { CellResult, EvalReport, MethodResult } from './harness-v1.js';
export type { Protocol } from './timing.js';

export interface HarnessOptions extends V1Options {
  readonly log?: (line: string) => void;
  /** `performance.now()` when the run began (e.g. before loading the data), for `timing.totalSeconds`; default: when the harness starts. */
  readonly startedAt?: number;
  /** `process.cpuUsage()` in seconds when the run began, for `timing.cpuSeconds`; default: when the harness starts. */
  readonly cpuAtStart?: number;
  /** Threads the folds run on, for the report's timing (the runner is passed to runProtocols). */
  readonly threads?: number;
}

/** The reports of one run, one per protocol asked for. */
export interface HarnessReports {
  v1?: EvalReport;
  v2?: EvalReportV2;
}

/** Runs every method on every fold and shot count of protocol v1 and aggregates the report. */
export async function runHarness(data: PreparedData, methods: readonly Method[], opts: HarnessOptions): Promise<EvalReport> {
  return (await runProtocols(data, methods, opts, ['v1'])).v1!;
}

/** Some methods of one fold, by their index in the run's method list: a unit of work a thread can take. */
export interface FoldTask {
  readonly fold: number;
  readonly methods: readonly number[];
}

/** One task's results, per protocol run, aligned with `methods`: merged into the run's in fold order. */
export interface FoldOutcome extends FoldTask {
  readonly v1?: V1Accumulator[];
  readonly v2?: V2Accumulator[];
}

/**
 * Runs the tasks somewhere else (worker threads, see src/cli/eval-threads.ts); the harness
 * merges the outcomes fold by fold in the order of `opts.folds`, so the reports equal a serial run's.
 */
export type FoldRunner = (tasks: readonly FoldTask[]) => Promise<FoldOutcome[]>;

/**
 * The run cut into independent tasks: per fold, each group of methods that build on one
 * another (a blend and its components share one registry) is one task, every other method
 * its own. The groups listed last go first: the CLI lists the long neural methods last, and
 * starting them first leaves the short ones to fill the threads at the end.
 */
export function foldTasks(methods: readonly Method[], folds: readonly number[]): FoldTask[] {
  const group = methods.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i]!)));
  methods.forEach((m, i) => {
    for (const used of m.uses ?? []) {
      const j = methods.findIndex((x) => x.name === used);
      if (j >= 0) group[root(j)] = root(i);
    }
  });
  const groups = new Map<number, number[]>();
  methods.forEach((_, i) => {
    const r = root(i);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(i);
  });
  return [...groups.values()].reverse().flatMap((g) => folds.map((fold) => ({ fold, methods: g })));
}

/**
 * Runs protocol v1 and/or v2 over the same folds. A method that tunes is fitted
 * once per protocol, on that protocol's validation objective; one that does not
 * (`tunes: false`) is fitted once per fold and evaluated under both. Each fold's
 * fits go through one registry, so a method built on others (the blend) reuses
 * the fits the run already made rather than fitting and tuning them again.
 * Folds run one after another here, or as tasks through `foldRunner` (e.g. in parallel).
 */
export async function runProtocols(data: PreparedData, methods: readonly Method[], opts: HarnessOptions, protocols: readonly Protocol[], foldRunner?: FoldRunner): Promise<HarnessReports> {
  const startedAt = opts.startedAt ?? performance.now();
  const cpuAtStart = opts.cpuAtStart ?? cpuSeconds();
  checkNames(methods);
  const all = methods.map((_, i) => i);
  const outcomes: FoldOutcome[] = [];
  if (foldRunner) outcomes.push(...(await foldRunner(foldTasks(methods, opts.folds))));
  else for (const f of opts.folds) outcomes.push(await runFold(data, { fold: f, methods: all }, methods, opts, protocols));
  const v1 = protocols.includes('v1') ? methods.map(() => newV1Accumulator(opts.ks)) : null;
  const v2 = protocols.includes('v2') ? methods.map(() => newV2Accumulator()) : null;
  for (const f of opts.folds) {
    for (const m of all) {
      const found = outcomes.filter((o) => o.fold === f && o.methods.includes(m));
      if (found.length !== 1) throw new Error(`fold ${f}, method "${methods[m]!.name}": ${found.length} results, expected 1 (every fold and method of the run runs once)`);
      const [o] = found as [FoldOutcome];
      const at = o.methods.indexOf(m);
      if (v1) mergeV1(v1[m]!, o.v1![at]!);
      if (v2) mergeV2(v2[m]!, o.v2![at]!);
    }
  }
  // Both reports carry the run's total and every protocol's share, so either one shows the whole budget.
  const timing = {
    totalSeconds: (performance.now() - startedAt) / 1000,
    cpuSeconds: cpuSeconds() - cpuAtStart,
    threads: opts.threads ?? 1,
    protocols: { ...(v1 ? { v1: protocolSeconds(v1) } : {}), ...(v2 ? { v2: protocolSeconds(v2) } : {}) },
  };
  const out: HarnessReports = {};
  if (v1) out.v1 = v1Report(data, methods, opts, v1, timing);
  if (v2) out.v2 = v2Report(data, methods, opts, v2, timing);
  return out;
}

function checkNames(methods: readonly Method[]): void {
  const names = methods.map((m) => m.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new Error(`method "${repeated}" is listed twice: a name stands for one method in a run (its report row and its shared fit); list it once`);
}

/** The task's methods (indices into `all`) on its fold, under every protocol asked for, through one registry of fits. */
export async function runFold(data: PreparedData, task: FoldTask, all: readonly Method[], opts: HarnessOptions, protocols: readonly Protocol[]): Promise<FoldOutcome> {
  const log = opts.log ?? (() => {});
  const f = task.fold;
  const methods = task.methods.map((i) => all[i]!);
  const used = new Set(methods.flatMap((m) => m.uses ?? []));
  const v1 = protocols.includes('v1') ? methods.map(() => newV1Accumulator(opts.ks)) : null;
  const v2 = protocols.includes('v2') ? methods.map(() => newV2Accumulator()) : null;
  const objectives: Record<Protocol, Objective> = { v1: ndcgObjective(opts.ks), v2: prequentialObjective() };
  const fold = buildFold(data, f, opts.minPositives);
  log(`fold ${f}: ${fold.train.length} training, ${fold.validation.length} validation, ${fold.test.length} test users`);
  const registry = new FitRegistry(used);
  // Protocol v2's test pass of a fit that another method of the task builds on waits for that
  // method's: one pass over the test users then hands each user's prefixes to all of them, and
  // the shared fit scores them once (registry.ts latestPrefixesShared: the blend reads iALS's).
  const waiting: { m: number; scorer: Scorer }[] = [];
  const testJointly = async (): Promise<void> => {
    const spent = await evaluateV2Jointly(waiting.map((w) => w.scorer), fold.test, waiting.map((w) => v2![w.m]!));
    waiting.forEach((w, i) => (v2![w.m]!.eval += spent[i]!));
    waiting.length = 0;
  };
  try {
    for (const [m, method] of methods.entries()) {
      // One fit serves every protocol unless the method tunes on the protocol's own objective.
      const fits: Protocol[][] = method.tunes === false ? [[...protocols]] : protocols.map((p) => [p]);
      for (const served of fits) {
        let t0 = performance.now();
        const objective = objectives[served[0]!];
        const progress = (msg: string): void => log(`fold ${f} ${method.name}: ${msg}`);
        const reused = registry.has(method.name, objective);
        const scorer = await registry.fitted(method.name, objective, () => method.fit(fold, { ks: opts.ks, objective, onProgress: progress, registry }));
        const fitSeconds = (performance.now() - t0) / 1000;
        t0 = performance.now();
        let waits = false;
        for (const p of served) {
          const acc = p === 'v1' ? v1![m]! : v2![m]!;
          acc.fit += fitSeconds / served.length;
          acc.tuning[String(f)] = scorer.tuning ?? {};
          const tp = performance.now();
          if (p === 'v1') {
            await evaluateV1(scorer, fold.test, opts, v1![m]!, (line) => progress(line));
            acc.eval += (performance.now() - tp) / 1000;
          } else {
            waiting.push({ m, scorer });
            waits = used.has(method.name);
            if (!waits) await testJointly();
          }
        }
        registry.release(method.name, objective);
        const fitted = reused ? 'fit reused from earlier in the run' : `fit + tune ${fitSeconds.toFixed(1)} s`;
        log(`fold ${f} ${method.name} (${served.join(', ')}): ${fitted}, test ${((performance.now() - t0) / 1000).toFixed(1)} s${waits ? ' (v2 with the methods built on it)' : ''}`);
      }
    }
    if (waiting.length) await testJointly();
  } finally {
    registry.dispose();
  }
  return { ...task, ...(v1 ? { v1 } : {}), ...(v2 ? { v2 } : {}) };
}
