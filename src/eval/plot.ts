import type { EvalReport } from './harness.js';
import { cellsOf } from './report.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const W = 640;
const H = 400;
const M = { left: 60, right: 170, top: 36, bottom: 48 } as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line of a plot: a point per x, with an optional 95% half-width drawn as an error bar. */
export interface PlotSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly ci?: number }[];
}

/** What linePlot draws: series over log-spaced x ticks. */
export interface LinePlot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** The x ticks (positive; the axis is logarithmic). */
  readonly xs: readonly number[];
  readonly series: readonly PlotSeries[];
}

/** A hand-drawn SVG line plot with a log x axis, optional error bars and a legend. */
export function linePlot(plot: LinePlot): string {
  const { xs, series } = plot;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  let yMax = 0;
  for (const s of series) for (const p of s.points) yMax = Math.max(yMax, p.y + (p.ci ?? 0));
  // Round the axis up to a tidy step so the ticks read well.
  const step = yMax > 0.5 ? 0.1 : yMax > 0.2 ? 0.05 : yMax > 0.1 ? 0.02 : 0.01;
  const top = Math.max(step, Math.ceil(yMax / step) * step);
  const lo = Math.log(Math.min(...xs));
  const hi = Math.log(Math.max(...xs));
  const x = (k: number): number => M.left + (hi > lo ? ((Math.log(k) - lo) / (hi - lo)) * pw : pw / 2);
  const y = (v: number): number => M.top + ph - (v / top) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="14">${esc(plot.title)}</text>`,
    `<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="black"/>`,
  ];
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(`<line x1="${M.left - 4}" y1="${y(v).toFixed(1)}" x2="${M.left + pw}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (const k of xs) out.push(`<text x="${x(k).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${k}</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">${esc(plot.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(plot.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    // Dodge each series a few pixels sideways so overlapping error bars stay readable.
    const dx = (i - (series.length - 1) / 2) * 3;
    const pts = s.points.map((p) => `${(x(p.x) + dx).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points) {
      const cx = (x(p.x) + dx).toFixed(1);
      if (p.ci !== undefined) out.push(`<line x1="${cx}" y1="${y(p.y - p.ci).toFixed(1)}" x2="${cx}" y2="${y(p.y + p.ci).toFixed(1)}" stroke="${color}"/>`);
      out.push(`<circle cx="${cx}" cy="${y(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = M.top + 10 + i * 18;
    out.push(`<line x1="${W - M.right + 16}" y1="${ly}" x2="${W - M.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** nDCG@10 against k (log-spaced) for every method of a protocol v1 report, with 95% error bars. */
export function svgPlot(report: EvalReport): string {
  return linePlot({
    title: `nDCG@10 vs shots k: ${report.dataset} (protocol ${report.protocol}, 95% intervals)`,
    xLabel: 'k (support clicks)',
    yLabel: 'nDCG@10',
    xs: report.ks,
    series: Object.keys(report.methods).map((name) => ({
      name,
      points: cellsOf(report, name).map(({ k, cell }) => ({ x: k, y: cell.ndcg10, ci: cell.ndcg10_ci })),
    })),
  });
}
