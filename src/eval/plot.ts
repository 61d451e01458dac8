import type { EvalReport } from './harness.js';
import { cellsOf } from './report.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const W = 640;
const H = 400;
const M = { left: 60, right: 170, top: 36, bottom: 48 } as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A hand-drawn SVG of nDCG@10 against k (log-spaced) for every method, with 95% error bars and a legend. */
export function svgPlot(report: EvalReport): string {
  const methods = Object.keys(report.methods);
  const ks = report.ks;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  let yMax = 0;
  for (const m of methods) for (const { cell } of cellsOf(report, m)) yMax = Math.max(yMax, cell.ndcg10 + cell.ndcg10_ci);
  // Round the axis up to a tidy step so the ticks read well.
  const step = yMax > 0.5 ? 0.1 : yMax > 0.2 ? 0.05 : yMax > 0.1 ? 0.02 : 0.01;
  const top = Math.max(step, Math.ceil(yMax / step) * step);
  const lo = Math.log(Math.min(...ks));
  const hi = Math.log(Math.max(...ks));
  const x = (k: number): number => M.left + (hi > lo ? ((Math.log(k) - lo) / (hi - lo)) * pw : pw / 2);
  const y = (v: number): number => M.top + ph - (v / top) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="14">${esc(`nDCG@10 vs shots k: ${report.dataset} (protocol ${report.protocol}, 95% intervals)`)}</text>`,
    `<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="black"/>`,
  ];
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(`<line x1="${M.left - 4}" y1="${y(v).toFixed(1)}" x2="${M.left + pw}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (const k of ks) out.push(`<text x="${x(k).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${k}</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">k (support clicks)</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">nDCG@10</text>`);
  methods.forEach((m, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const cells = cellsOf(report, m);
    // Dodge each method a few pixels sideways so overlapping error bars stay readable.
    const dx = (i - (methods.length - 1) / 2) * 3;
    const pts = cells.map(({ k, cell }) => `${(x(k) + dx).toFixed(1)},${y(cell.ndcg10).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const { k, cell } of cells) {
      const cx = (x(k) + dx).toFixed(1);
      out.push(`<line x1="${cx}" y1="${y(cell.ndcg10 - cell.ndcg10_ci).toFixed(1)}" x2="${cx}" y2="${y(cell.ndcg10 + cell.ndcg10_ci).toFixed(1)}" stroke="${color}"/>`);
      out.push(`<circle cx="${cx}" cy="${y(cell.ndcg10).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = M.top + 10 + i * 18;
    out.push(`<line x1="${W - M.right + 16}" y1="${ly}" x2="${W - M.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${esc(m)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
