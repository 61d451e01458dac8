// What the protocol v1 and v2 reports share: the run's description (JSON fields and the
// Markdown's first line) and, per method, its tuning and time.
import type { PreparedData } from '../protocol/data.js';
import type { RunTiming } from './timing.js';

/** The fields both reports open with, before their protocol's own (methods filled in by the caller). */
export function reportHead(data: PreparedData, opts: { readonly folds: readonly number[]; readonly threshold: number; readonly minPositives: number }) {
  return { dataset: data.name, folds: [...opts.folds], threshold: opts.threshold, positives: data.positives, minPositives: opts.minPositives };
}

/** Records one method's per-fold tuning and its fit and evaluation seconds in a report. */
export function recordMethod(
  report: { tuning: Record<string, Record<string, unknown>>; timing: RunTiming },
  name: string,
  acc: { readonly tuning: Record<string, unknown>; readonly fit: number; readonly eval: number },
): void {
  report.tuning[name] = acc.tuning;
  report.timing.methods[name] = { fitSeconds: acc.fit, evalSeconds: acc.eval };
}

/** The Markdown's description of the run: "Folds 0, 1; positives: ...; evaluated users: test users with >= 25 positives". */
export function runLine(report: { readonly folds: readonly number[]; readonly positives: string; readonly minPositives: number }): string {
  return `Folds ${report.folds.join(', ')}; positives: ${report.positives}; evaluated users: test users with >= ${report.minPositives} positives`;
}
