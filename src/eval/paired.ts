// Paired comparison of one method against the best other one on the same (fold, user) pairs:
// the ratio of means with a delta-method interval, and the mean per-user difference.

/** The method the reports compare against the best other method. */
export const PAIRED_METHOD = 'meta';

/** How the paired intervals are computed, for the report. */
export const PAIRED_INTERVAL =
  '95% intervals from per-user values paired over every (fold, user): the ratio of means by the delta method ' +
  '(SE = sd(a_i - R b_i) / (mean(b) sqrt(n))), the difference of means as mean ± 1.96 sd(a_i - b_i) / sqrt(n)';

/** The same, in a few words for the Markdown line (the JSON's `interval` says it in full). */
export const PAIRED_SHORT = 'per-user values paired over every (fold, user); 95% intervals, the ratio\'s by the delta method';

const Z95 = 1.96;

/** One paired comparison: mean(a) ÷ mean(b) and mean(a - b) with 95% intervals. */
export interface PairedRatio {
  /** The method in the denominator: the best other method by mean. */
  against: string;
  ratio: number;
  ci: [number, number];
  difference: number;
  difference_ci: [number, number];
  /** Paired (fold, user) values. */
  users: number;
}

/**
 * The ratio R = mean(a) / mean(b) of paired per-user values and mean(a - b), with 95% intervals.
 * The ratio's standard error is the delta method's: the linearised per-user residual
 * a_i - R b_i over mean(b), so users who score high on both methods do not widen it.
 * Null when b's mean is 0 (no ratio) or fewer than 2 pairs.
 */
export function pairedRatio(a: ArrayLike<number>, b: ArrayLike<number>): Omit<PairedRatio, 'against'> | null {
  const n = a.length;
  if (b.length !== n) throw new Error(`paired values need one value per user on both sides: got ${n} and ${b.length}`);
  if (n < 2) return null;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i]!;
    sb += b[i]!;
  }
  const [ma, mb] = [sa / n, sb / n];
  if (mb === 0) return null;
  const ratio = ma / mb;
  const difference = ma - mb;
  let ssResidual = 0;
  let ssDifference = 0;
  for (let i = 0; i < n; i++) {
    ssResidual += (a[i]! - ratio * b[i]!) ** 2;
    ssDifference += (a[i]! - b[i]! - difference) ** 2;
  }
  const seRatio = Math.sqrt(ssResidual / (n - 1)) / (Math.abs(mb) * Math.sqrt(n));
  const seDifference = Math.sqrt(ssDifference / (n - 1) / n);
  return {
    ratio,
    ci: [ratio - Z95 * seRatio, ratio + Z95 * seRatio],
    difference,
    difference_ci: [difference - Z95 * seDifference, difference + Z95 * seDifference],
    users: n,
  };
}

const mean = (v: readonly number[]): number => (v.length ? v.reduce((x, y) => x + y, 0) / v.length : 0);

/**
 * `method` against the best other method by mean, paired user by user. `perUser` maps each
 * method to its values over the same (fold, user) pairs in the same order. Null when `method`
 * is absent or alone.
 */
export function pairedAgainstBest(method: string, perUser: Readonly<Record<string, readonly number[]>>): PairedRatio | null {
  const mine = perUser[method];
  const others = Object.entries(perUser).filter(([name]) => name !== method);
  if (!mine || others.length === 0) return null;
  const [against, theirs] = others.reduce((best, cur) => (mean(cur[1]) > mean(best[1]) ? cur : best));
  if (theirs.length !== mine.length) {
    throw new Error(`cannot pair ${method} with ${against}: ${mine.length} vs ${theirs.length} evaluated users; both must run on the same folds and users`);
  }
  const r = pairedRatio(mine, theirs);
  return r && { against, ...r };
}

/** `pairedAgainstBest` for a report: a run of hours must still write its report, so a failure goes into `errors`. */
export function pairedForReport(method: string, perUser: Readonly<Record<string, readonly number[]>>, errors: string[]): PairedRatio | null {
  try {
    return pairedAgainstBest(method, perUser);
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
    return null;
  }
}

/** "0.976 [0.921, 1.031]" for a report line. */
export function formatPaired(p: PairedRatio): string {
  const d = (x: number): string => (x >= 0 ? '+' : '') + x.toFixed(4);
  return `${p.ratio.toFixed(3)} [${p.ci[0].toFixed(3)}, ${p.ci[1].toFixed(3)}] vs ${p.against} (difference ${d(p.difference)} [${d(p.difference_ci[0])}, ${d(p.difference_ci[1])}])`;
}
