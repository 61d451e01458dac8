// Protocol v2's side of the harness: accumulating prequential results and the report.
import { meanWithInterval } from '../protocol/metrics.js';
import { PREQUENTIAL } from '../protocol/prequential.js';
import { evaluatePrequentialAll } from './prequential.js';
import type { PreparedData } from '../protocol/data.js';
import type { UserPositives } from '../protocol/types.js';
import { PAIRED_INTERVAL, PAIRED_METHOD, pairedForReport, type PairedRatio } from './paired.js';
import { recordMethod, reportHead } from './report-head.js';
import type { RunTiming } from './timing.js';
import type { Method, Scorer } from './types.js';

/** One method under protocol v2: HR@10 and MRR@10 (± 95% half-width) and the HR@10 curve by step. */
export interface PrequentialResult {
  hr10: number;
  hr10_ci: number;
  mrr10: number;
  mrr10_ci: number;
  /** Evaluated (fold, user) pairs. */
  users: number;
  /** HR@10 at step t (keyed "1", "2", ...): mean over the users that reach t. */
  curve: Record<string, number>;
}

/** `meta` against the best other method by mean, per metric, paired user by user (see paired.ts). */
export interface PairedV2 {
  method: string;
  interval: string;
  hr10?: PairedRatio;
  mrr10?: PairedRatio;
  /** Why a comparison is missing, if one failed. */
  errors?: string[];
}

/** The protocol v2 report JSON; `protocol`, `dataset` and `methods` are fixed by the issue. */
export interface EvalReportV2 {
  protocol: 'v2';
  dataset: string;
  folds: number[];
  methods: Record<string, PrequentialResult>;
  /** Present when `meta` ran with other methods. */
  paired?: PairedV2;
  threshold: number;
  positives: string;
  minPositives: number;
  /** Steps per user: t = 1..min(n - 1, maxSteps). */
  maxSteps: number;
  curveSteps: number[];
  tuning: Record<string, Record<string, unknown>>;
  timing: RunTiming;
}

/** Per-user values over every fold so far, in the same (fold, user) order for every method. */
export interface V2Accumulator {
  readonly hr10: number[];
  readonly mrr10: number[];
  readonly hitsByStep: Map<number, number[]>;
  readonly tuning: Record<string, unknown>;
  fit: number;
  eval: number;
}

export function newV2Accumulator(): V2Accumulator {
  return { hr10: [], mrr10: [], hitsByStep: new Map(), tuning: {}, fit: 0, eval: 0 };
}

/**
 * Protocol v2's test pass of several scorers in one pass over the test users (the same values
 * as one by one; a single scorer is a pass of its own): a fit that others build on scores each user's prefixes once for all of them
 * (registry.ts latestPrefixesShared). Returns each scorer's seconds on `clock` (default wall).
 */
export async function evaluateV2Jointly(scorers: readonly Scorer[], test: readonly UserPositives[], accs: readonly V2Accumulator[], clock: () => number = () => performance.now() / 1000): Promise<number[]> {
  const timing = { clock, spent: scorers.map(() => 0) };
  const results = await evaluatePrequentialAll(scorers, test, PREQUENTIAL.maxSteps, timing);
  results.forEach((r, i) => appendResults(accs[i]!, r));
  return timing.spent;
}

function appendResults(acc: V2Accumulator, r: { readonly hr10: readonly number[]; readonly mrr10: readonly number[]; readonly hitsByStep: ReadonlyMap<number, readonly number[]> }): void {
  acc.hr10.push(...r.hr10);
  acc.mrr10.push(...r.mrr10);
  for (const [t, hits] of r.hitsByStep) {
    const list = acc.hitsByStep.get(t);
    if (list) list.push(...hits);
    else acc.hitsByStep.set(t, [...hits]);
  }
}

/** Appends one fold's values to the run's (folds merged in order give the serial run's arrays). */
export function mergeV2(into: V2Accumulator, from: V2Accumulator): void {
  appendResults(into, from);
  Object.assign(into.tuning, from.tuning);
  into.fit += from.fit;
  into.eval += from.eval;
}

export function v2Report(
  data: PreparedData,
  methods: readonly Method[],
  opts: { readonly folds: readonly number[]; readonly threshold: number; readonly minPositives: number },
  accs: readonly V2Accumulator[],
  timing: Omit<RunTiming, 'methods'>): EvalReportV2 {
  const { dataset, folds, ...run } = reportHead(data, opts);
  const report: EvalReportV2 = {
    protocol: 'v2',
    dataset,
    folds,
    methods: {},
    ...run,
    maxSteps: PREQUENTIAL.maxSteps,
    curveSteps: [...PREQUENTIAL.curveSteps],
    tuning: {},
    timing: { ...timing, methods: {} },
  };
  for (const [m, method] of methods.entries()) {
    const acc = accs[m]!;
    const hr = meanWithInterval(acc.hr10);
    const mrr = meanWithInterval(acc.mrr10);
    const curve: Record<string, number> = {};
    for (const t of PREQUENTIAL.curveSteps) {
      const hits = acc.hitsByStep.get(t);
      if (hits?.length) curve[String(t)] = meanWithInterval(hits).mean;
    }
    report.methods[method.name] = { hr10: hr.mean, hr10_ci: hr.ci, mrr10: mrr.mean, mrr10_ci: mrr.ci, users: hr.n, curve };
    recordMethod(report, method.name, acc);
  }
  const paired = pairedV2(methods, accs);
  if (paired) report.paired = paired;
  return report;
}

/** `meta` ÷ the best other method by mean HR@10 and by mean MRR@10, paired user by user; undefined without `meta` and another method. */
function pairedV2(methods: readonly Method[], accs: readonly V2Accumulator[]): PairedV2 | undefined {
  const errors: string[] = [];
  const of = (metric: 'hr10' | 'mrr10') => pairedForReport(PAIRED_METHOD, Object.fromEntries(methods.map((m, i) => [m.name, accs[i]![metric]])), errors);
  const [hr10, mrr10] = [of('hr10'), of('mrr10')];
  if (!hr10 && !mrr10 && !errors.length) return undefined;
  return { method: PAIRED_METHOD, interval: PAIRED_INTERVAL, ...(hr10 ? { hr10 } : {}), ...(mrr10 ? { mrr10 } : {}), ...(errors.length ? { errors } : {}) };
}
