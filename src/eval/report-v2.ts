// Markdown table and SVG plot of a protocol v2 report.
import type { EvalReportV2 } from './harness-v2.js';
import { formatPaired, PAIRED_SHORT } from './paired.js';
import { linePlot } from './plot.js';
import { runLine } from './report-head.js';
import { timingLines } from './timing.js';

const f4 = (x: number): string => x.toFixed(4);

/** Method × (HR@10, MRR@10, users) with 95% half-widths, then the HR@10 curve by step. */
export function markdownReportV2(report: EvalReportV2): string {
  const methods = Object.keys(report.methods);
  const steps = report.curveSteps.filter((t) => methods.some((m) => report.methods[m]!.curve[String(t)] !== undefined));
  const lines = [
    `# Next-click benchmark: ${report.dataset} (protocol ${report.protocol})`,
    '',
    `${runLine(report)}; ` +
      `after each of a user's first min(n - 1, ${report.maxSteps}) clicks, the next click is ranked among the catalog minus the history. ` +
      'A user counts once (the mean over their steps); mean over (fold, user) pairs ± 95% half-width.',
    '',
    '| method | HR@10 | MRR@10 | users |',
    '|---|---:|---:|---:|',
    ...methods.map((m) => {
      const r = report.methods[m]!;
      return `| ${m} | ${f4(r.hr10)} ± ${f4(r.hr10_ci)} | ${f4(r.mrr10)} ± ${f4(r.mrr10_ci)} | ${r.users} |`;
    }),
    ...pairedLines(report),
    '',
    '## HR@10 at step t (mean over the users that reach t)',
    '',
    `| method | ${steps.map((t) => `t=${t}`).join(' | ')} |`,
    `|---|${steps.map(() => '---:').join('|')}|`,
    ...methods.map((m) => `| ${m} | ${steps.map((t) => { const v = report.methods[m]!.curve[String(t)]; return v === undefined ? '-' : f4(v); }).join(' | ')} |`),
  ];
  lines.push(...timingLines(report.timing));
  return lines.join('\n') + '\n';
}

/** HR@10 against the step t (log-spaced) for every method. */
export function svgPlotV2(report: EvalReportV2): string {
  const series = Object.entries(report.methods).map(([name, r]) => ({
    name,
    points: report.curveSteps.filter((t) => r.curve[String(t)] !== undefined).map((t) => ({ x: t, y: r.curve[String(t)]! })),
  }));
  return linePlot({
    title: `HR@10 of the next click vs step t: ${report.dataset} (protocol v2)`,
    xLabel: 't (clicks so far)',
    yLabel: 'HR@10',
    xs: report.curveSteps,
    series,
  });
}

/** Under the table: meta ÷ the best other method by each metric, paired user by user. */
function pairedLines(report: EvalReportV2): string[] {
  const p = report.paired;
  if (!p) return [];
  const missing = p.errors?.length ? ` Not compared: ${p.errors.join('; ')}.` : '';
  const cells = [p.hr10 && `HR@10 ${formatPaired(p.hr10)}`, p.mrr10 && `MRR@10 ${formatPaired(p.mrr10)}`].filter(Boolean);
  return ['', `Paired, ${p.method} ÷ the best other method by mean (${PAIRED_SHORT}): ${cells.join('; ')}.${missing}`];
}
