// Protocol v1's side of the harness: accumulating cold-start results and the report.
import { evaluateAtK } from './evaluate.js';
import { meanWithInterval, episodeMetrics } from '../protocol/metrics.js';
import { makeEpisode } from '../protocol/episodes.js';
import { PAIRED_INTERVAL, PAIRED_METHOD, pairedForReport, type PairedRatio } from './paired.js';
import type { PreparedData } from '../protocol/data.js';
import type { UserPositives } from '../protocol/types.js';
import { recordMethod, reportHead } from './report-head.js';
import type { RunTiming } from './timing.js';
import type { Method, Scorer } from './types.js';

/** One cell of the report: mean over every (fold, evaluated user) pair and its 95% half-width. */
export interface CellResult {
  ndcg10: number;
  ndcg10_ci: number;
  recall20: number;
  recall20_ci: number;
  users: number;
}

/** Per method: one cell per k (keyed "1", "3", ...) plus the k = 5 step curve for adapted methods. */
export type MethodResult = Record<string, CellResult | number[]>;

/** `meta` against the best other method at each k, paired user by user (see paired.ts). */
export interface PairedV1 {
  method: string;
  interval: string;
  /** Per k (keyed "1", "3", ...): nDCG@10, the report's metric. */
  ndcg10: Record<string, PairedRatio>;
  /** Why a comparison is missing, if one failed. */
  errors?: string[];
}

/** The report JSON read by other tools; `protocol`, `dataset`, `folds` and `methods` are fixed. */
export interface EvalReport {
  protocol: 'v1';
  dataset: string;
  folds: number[];
  methods: Record<string, MethodResult>;
  /** Present when `meta` ran with other methods. */
  paired?: PairedV1;
  threshold: number;
  /** How positives were chosen, e.g. "rating >= 4". */
  positives: string;
  minPositives: number;
  ks: number[];
  /** Per method, per fold: the validation grid and the chosen hyperparameters. */
  tuning: Record<string, Record<string, unknown>>;
  timing: RunTiming;
}

export interface V1Options {
  readonly ks: readonly number[];
  readonly folds: readonly number[];
  readonly threshold: number;
  readonly minPositives: number;
  /** K of the k = 5 step curve (0..K steps); default: each method's own runtime default. */
  readonly steps?: number | undefined;
}

const STEP_CURVE_K = 5;

/** The k = 5 curve: per user, nDCG@10 after 0..K steps. */
async function stepCurve(scorer: Scorer, users: readonly UserPositives[], steps: number | undefined, into: number[][]): Promise<void> {
  for (const u of users) {
    const ep = makeEpisode(u, STEP_CURVE_K);
    if (!ep) continue;
    const perStep = await scorer.scoreSteps!(ep.support, steps);
    perStep.forEach((s, t) => (into[t] ??= []).push(episodeMetrics(s, ep.support, ep.query).ndcg10));
  }
}

/** Per-user values over every fold so far, in the same (fold, user) order for every method. */
export interface V1Accumulator {
  readonly ndcg: Map<number, number[]>;
  readonly recall: Map<number, number[]>;
  readonly steps: number[][];
  readonly tuning: Record<string, unknown>;
  fit: number;
  eval: number;
}

export function newV1Accumulator(ks: readonly number[]): V1Accumulator {
  return { ndcg: new Map(ks.map((k) => [k, []])), recall: new Map(ks.map((k) => [k, []])), steps: [], tuning: {}, fit: 0, eval: 0 };
}

/** Appends one fold's values to the run's (folds merged in order give the serial run's arrays). */
export function mergeV1(into: V1Accumulator, from: V1Accumulator): void {
  for (const [k, values] of from.ndcg) into.ndcg.get(k)!.push(...values);
  for (const [k, values] of from.recall) into.recall.get(k)!.push(...values);
  from.steps.forEach((values, t) => (into.steps[t] ??= []).push(...values));
  Object.assign(into.tuning, from.tuning);
  into.fit += from.fit;
  into.eval += from.eval;
}

export async function evaluateV1(scorer: Scorer, test: readonly UserPositives[], opts: V1Options, acc: V1Accumulator, log: (line: string) => void): Promise<void> {
  for (const k of opts.ks) {
    const tk = performance.now();
    const r = await evaluateAtK(scorer, test, k);
    acc.ndcg.get(k)!.push(...r.ndcg10);
    acc.recall.get(k)!.push(...r.recall20);
    const rate = r.ndcg10.length / Math.max((performance.now() - tk) / 1000, 1e-9);
    log(`k=${k}: ${r.ndcg10.length} test users, ${rate.toFixed(0)} users/s`);
  }
  if (scorer.scoreSteps) await stepCurve(scorer, test, opts.steps, acc.steps);
}

/** `meta` ÷ the best other method by mean nDCG@10 at each k, paired user by user; undefined without `meta` and another method. */
function pairedV1(methods: readonly Method[], ks: readonly number[], accs: readonly V1Accumulator[]): PairedV1 | undefined {
  const ndcg10: Record<string, PairedRatio> = {};
  const errors: string[] = [];
  for (const k of ks) {
    const perUser = Object.fromEntries(methods.map((m, i) => [m.name, accs[i]!.ndcg.get(k)!]));
    const p = pairedForReport(PAIRED_METHOD, perUser, errors);
    if (p) ndcg10[String(k)] = p;
  }
  if (!Object.keys(ndcg10).length && !errors.length) return undefined;
  return { method: PAIRED_METHOD, interval: PAIRED_INTERVAL, ndcg10, ...(errors.length ? { errors } : {}) };
}

export function v1Report(data: PreparedData, methods: readonly Method[], opts: V1Options, accs: readonly V1Accumulator[], timing: Omit<RunTiming, 'methods'>): EvalReport {
  const { dataset, folds, ...run } = reportHead(data, opts);
  const report: EvalReport = { protocol: 'v1', dataset, folds, methods: {}, ...run, ks: [...opts.ks], tuning: {}, timing: { ...timing, methods: {} } };
  for (const [m, method] of methods.entries()) {
    const acc = accs[m]!;
    const result: MethodResult = {};
    for (const k of opts.ks) {
      const nd = meanWithInterval(acc.ndcg.get(k)!);
      const rc = meanWithInterval(acc.recall.get(k)!);
      result[String(k)] = { ndcg10: nd.mean, ndcg10_ci: nd.ci, recall20: rc.mean, recall20_ci: rc.ci, users: nd.n };
    }
    if (acc.steps.length) result.steps = acc.steps.map((v) => meanWithInterval(v).mean);
    report.methods[method.name] = result;
    recordMethod(report, method.name, acc);
  }
  const paired = pairedV1(methods, opts.ks, accs);
  if (paired) report.paired = paired;
  return report;
}
