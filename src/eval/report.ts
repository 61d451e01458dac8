import type { CellResult, EvalReport } from './harness.js';
import { formatPaired, PAIRED_SHORT } from './paired.js';
import { runLine } from './report-head.js';
import { timingLines } from './timing.js';

const f4 = (x: number): string => x.toFixed(4);

/** The cells of a method in k order (skips the step curve). */
export function cellsOf(report: EvalReport, method: string): { k: number; cell: CellResult }[] {
  const r = report.methods[method]!;
  return report.ks.filter((k) => r[String(k)] && !Array.isArray(r[String(k)])).map((k) => ({ k, cell: r[String(k)] as CellResult }));
}

/** A Markdown report: method × k tables of nDCG@10 ± ci, Recall@20 ± ci and users, then the step curves. */
export function markdownReport(report: EvalReport): string {
  const methods = Object.keys(report.methods);
  const header = `| method | ${report.ks.map((k) => `k=${k}`).join(' | ')} |`;
  const rule = `|---|${report.ks.map(() => '---:').join('|')}|`;
  const table = (value: (c: CellResult) => string): string[] => [
    header,
    rule,
    ...methods.map((m) => `| ${m} | ${cellsOf(report, m).map(({ cell }) => value(cell)).join(' | ')} |`),
  ];
  const lines = [
    `# Cold-start benchmark: ${report.dataset} (protocol ${report.protocol})`,
    '',
    `${runLine(report)}. Mean over (fold, user) pairs ± 95% half-width.`,
    '',
    '## nDCG@10',
    '',
    ...table((c) => `${f4(c.ndcg10)} ± ${f4(c.ndcg10_ci)}`),
    ...pairedLines(report),
    '',
    '## Recall@20',
    '',
    ...table((c) => `${f4(c.recall20)} ± ${f4(c.recall20_ci)}`),
    '',
    '## Evaluated users',
    '',
    ...table((c) => String(c.users)),
  ];
  const curves = methods.filter((m) => Array.isArray(report.methods[m]!.steps));
  if (curves.length) {
    const k = Math.max(...curves.map((m) => (report.methods[m]!.steps as number[]).length));
    lines.push('', '## nDCG@10 at k = 5 after 0..K adaptation steps', '');
    lines.push(`| method | ${Array.from({ length: k }, (_, s) => `${s}`).join(' | ')} |`, `|---|${Array.from({ length: k }, () => '---:').join('|')}|`);
    for (const m of curves) lines.push(`| ${m} | ${(report.methods[m]!.steps as number[]).map(f4).join(' | ')} |`);
  }
  lines.push(...timingLines(report.timing));
  return lines.join('\n') + '\n';
}

/** Under the nDCG@10 table: meta ÷ the best other method at each k, paired user by user. */
function pairedLines(report: EvalReport): string[] {
  const p = report.paired;
  if (!p) return [];
  const missing = p.errors?.length ? ` Not compared: ${p.errors.join('; ')}.` : '';
  const cells = Object.entries(p.ndcg10).map(([k, r]) => `k=${k}: ${formatPaired(r)}`);
  return ['', `Paired, ${p.method} ÷ the best other method by mean nDCG@10 (${PAIRED_SHORT}): ${cells.join('; ')}.${missing}`];
}
