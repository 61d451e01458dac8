import { evaluateAtK } from './evaluate.js';
import { meanWithInterval, episodeMetrics } from '../protocol/metrics.js';
import { buildFold, type PreparedData } from '../protocol/data.js';
import { makeEpisode } from '../protocol/episodes.js';
import type { UserPositives } from '../protocol/types.js';
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

/** Runs every method on every fold and shot count of protocol v1 and aggregates the report. */
export async function runHarness(data: PreparedData, methods: readonly Method[], opts: HarnessOptions): Promise<EvalReport> {
  const log = opts.log ?? (() => {});
  const perMethod = methods.map(() => ({
    ndcg: new Map<number, number[]>(opts.ks.map((k) => [k, []])),
    recall: new Map<number, number[]>(opts.ks.map((k) => [k, []])),
    steps: [] as number[][],
    tuning: {} as Record<string, unknown>,
    fit: 0,
    eval: 0,
  }));
  for (const f of opts.folds) {
    const fold = buildFold(data, f, opts.minPositives);
    log(`fold ${f}: ${fold.train.length} training, ${fold.validation.length} validation, ${fold.test.length} test users`);
    for (const [m, method] of methods.entries()) {
      const acc = perMethod[m]!;
      let t0 = performance.now();
      const scorer = await method.fit(fold, { ks: opts.ks, onProgress: (msg) => log(`fold ${f} ${method.name}: ${msg}`) });
      const fitSeconds = (performance.now() - t0) / 1000;
      acc.fit += fitSeconds;
      acc.tuning[String(f)] = scorer.tuning ?? {};
      t0 = performance.now();
      for (const k of opts.ks) {
        const tk = performance.now();
        const r = await evaluateAtK(scorer, fold.test, k);
        acc.ndcg.get(k)!.push(...r.ndcg10);
        acc.recall.get(k)!.push(...r.recall20);
        const rate = r.ndcg10.length / Math.max((performance.now() - tk) / 1000, 1e-9);
        log(`fold ${f} ${method.name} k=${k}: ${r.ndcg10.length} test users, ${rate.toFixed(0)} users/s`);
      }
      if (scorer.scoreSteps) await stepCurve(scorer, fold.test, opts.steps, acc.steps);
      const seconds = (performance.now() - t0) / 1000;
      acc.eval += seconds;
      scorer.dispose?.();
      log(`fold ${f} ${method.name}: fit + tune ${fitSeconds.toFixed(1)} s, test ${seconds.toFixed(1)} s`);
    }
  }
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
    const acc = perMethod[m]!;
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
