import { evaluateAtK, ndcgObjective } from './evaluate.js';
import { evaluateV2, newV2Accumulator, v2Report, type EvalReportV2 } from './harness-v2.js';
import { prequentialObjective } from './prequential.js';
import { meanWithInterval, episodeMetrics } from '../protocol/metrics.js';
import { buildFold, type PreparedData } from '../protocol/data.js';
import { makeEpisode } from '../protocol/episodes.js';
import type { UserPositives } from '../protocol/types.js';
import type { Method, Objective, Scorer } from './types.js';

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

/** The report JSON read by other tools; `protocol`, `dataset`, `folds` and `methods` are fixed. */
export interface EvalReport {
  protocol: 'v1';
  dataset: string;
  folds: number[];
  methods: Record<string, MethodResult>;
  threshold: number;
  /** How positives were chosen, e.g. "rating >= 4". */
  positives: string;
  minPositives: number;
  ks: number[];
  /** Per method, per fold: the validation grid and the chosen hyperparameters. */
  tuning: Record<string, Record<string, unknown>>;
  /** Per method: seconds spent fitting (training + tuning) and evaluating, summed over folds. */
  timing: Record<string, { fitSeconds: number; evalSeconds: number }>;
}

export interface HarnessOptions {
  readonly ks: readonly number[];
  readonly folds: readonly number[];
  readonly threshold: number;
  readonly minPositives: number;
  /** K of the k = 5 step curve (0..K steps); default: each method's own runtime default. */
  readonly steps?: number | undefined;
  readonly log?: (line: string) => void;
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

/** Protocols the harness can run in one pass (see ../shared/BENCHMARK.md). */
export type Protocol = 'v1' | 'v2';

/** The reports of one run, one per protocol asked for. */
export interface HarnessReports {
  v1?: EvalReport;
  v2?: EvalReportV2;
}

/** Runs every method on every fold and shot count of protocol v1 and aggregates the report. */
export async function runHarness(data: PreparedData, methods: readonly Method[], opts: HarnessOptions): Promise<EvalReport> {
  return (await runProtocols(data, methods, opts, ['v1'])).v1!;
}

/**
 * Runs protocol v1 and/or v2 over the same folds. A method that tunes is fitted
 * once per protocol, on that protocol's validation objective; one that does not
 * (`tunes: false`) is fitted once per fold and evaluated under both.
 */
export async function runProtocols(data: PreparedData, methods: readonly Method[], opts: HarnessOptions, protocols: readonly Protocol[]): Promise<HarnessReports> {
  const log = opts.log ?? (() => {});
  const v1 = protocols.includes('v1') ? methods.map(() => newV1Accumulator(opts.ks)) : null;
  const v2 = protocols.includes('v2') ? methods.map(() => newV2Accumulator()) : null;
  const objectives: Record<Protocol, Objective> = { v1: ndcgObjective(opts.ks), v2: prequentialObjective() };
  for (const f of opts.folds) {
    const fold = buildFold(data, f, opts.minPositives);
    log(`fold ${f}: ${fold.train.length} training, ${fold.validation.length} validation, ${fold.test.length} test users`);
    for (const [m, method] of methods.entries()) {
      // One fit serves every protocol unless the method tunes on the protocol's own objective.
      const fits: Protocol[][] = method.tunes === false ? [[...protocols]] : protocols.map((p) => [p]);
      for (const served of fits) {
        let t0 = performance.now();
        const objective = objectives[served[0]!];
        const progress = (msg: string): void => log(`fold ${f} ${method.name}: ${msg}`);
        const scorer = await method.fit(fold, { ks: opts.ks, objective, onProgress: progress });
        const fitSeconds = (performance.now() - t0) / 1000;
        t0 = performance.now();
        for (const p of served) {
          const acc = p === 'v1' ? v1![m]! : v2![m]!;
          acc.fit += fitSeconds / served.length;
          acc.tuning[String(f)] = scorer.tuning ?? {};
          const tp = performance.now();
          if (p === 'v1') await evaluateV1(scorer, fold.test, opts, v1![m]!, (line) => progress(line));
          else await evaluateV2(scorer, fold.test, v2![m]!);
          acc.eval += (performance.now() - tp) / 1000;
        }
        scorer.dispose?.();
        log(`fold ${f} ${method.name} (${served.join(', ')}): fit + tune ${fitSeconds.toFixed(1)} s, test ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  }
  const out: HarnessReports = {};
  if (v1) out.v1 = v1Report(data, methods, opts, v1);
  if (v2) out.v2 = v2Report(data, methods, opts, v2);
  return out;
}

interface V1Accumulator {
  readonly ndcg: Map<number, number[]>;
  readonly recall: Map<number, number[]>;
  readonly steps: number[][];
  readonly tuning: Record<string, unknown>;
  fit: number;
  eval: number;
}

function newV1Accumulator(ks: readonly number[]): V1Accumulator {
  return { ndcg: new Map(ks.map((k) => [k, []])), recall: new Map(ks.map((k) => [k, []])), steps: [], tuning: {}, fit: 0, eval: 0 };
}

async function evaluateV1(scorer: Scorer, test: readonly UserPositives[], opts: HarnessOptions, acc: V1Accumulator, log: (line: string) => void): Promise<void> {
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

function v1Report(data: PreparedData, methods: readonly Method[], opts: HarnessOptions, accs: readonly V1Accumulator[]): EvalReport {
  const report: EvalReport = {
    protocol: 'v1',
    dataset: data.name,
    folds: [...opts.folds],
    methods: {},
    threshold: opts.threshold,
    positives: data.positives,
    minPositives: opts.minPositives,
    ks: [...opts.ks],
    tuning: {},
    timing: {},
  };
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
    report.tuning[method.name] = acc.tuning;
    report.timing[method.name] = { fitSeconds: acc.fit, evalSeconds: acc.eval };
  }
  return report;
}
