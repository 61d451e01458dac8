// Small helpers every benchmark file shares: percentiles, seeded click cases, tables.
import { createRng } from '../src/math/rng';

/** The q-quantile of `values` (nearest rank), ms. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** p50, p95 and count of a list of times. */
export function summary(times: readonly number[]): { p50_ms: number; p95_ms: number; n: number } {
  return { p50_ms: percentile(times, 0.5), p95_ms: percentile(times, 0.95), n: times.length };
}

/** `count` click lists of `clicks` items each from a catalog of `items` (seeded: engine and peer get the same). */
export function clickCases(items: number, clicks: number, count: number): number[][] {
  const rng = createRng(`bench-clicks-${items}-${clicks}`);
  return Array.from({ length: count }, () => Array.from({ length: clicks }, () => rng.int(items)));
}

/** A markdown table of rows (the keys of the first row are the columns). */
export function table(rows: readonly object[]): string {
  if (rows.length === 0) return '(no rows)';
  const keys = Object.keys(rows[0]!);
  const fmt = (v: unknown): string => {
    if (typeof v === 'number' && !Number.isInteger(v)) return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
    if (typeof v === 'number') return v.toLocaleString('en-US');
    return Array.isArray(v) ? v.join(' → ') : String(v);
  };
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(keys), `|${keys.map(() => '---').join('|')}|`, ...rows.map((r) => line(keys.map((k) => fmt((r as Record<string, unknown>)[k]))))].join('\n');
}
