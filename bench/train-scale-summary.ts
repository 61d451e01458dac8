// `npm run bench:train-scale-summary -- bench/results/train-scale-node-1m-2026-12-02.json ...`
// Issue 14's scale table in one place: the rows of several train-scale runs (the Node
// trainer's from bench/train-scale-node.ts, PyTorch's from bench/train-scale.ts, each a
// separate command because each takes 20-45 minutes) side by side, one row per trainer,
// process count and log size, each naming the file it came from. Writes the rows under
// "runs" to --out and prints the markdown table the README shows. It measures nothing.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { table } from './stats';
import type { ScaleRow } from './scale-row';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
if (outAt >= 0 && !out?.endsWith('.json')) throw new Error(`--out needs a .json path, got ${out ?? 'nothing'}: e.g. --out bench/results/train-scale-summary-2026-12-02.json`);
const inputs = args.filter((_a, i) => i !== outAt && i !== outAt + 1);
for (const a of inputs) if (!a.endsWith('.json')) throw new Error(`"${a}" is not a result file: name train-scale JSON files, and --out for the summary.`);
if (inputs.length === 0) throw new Error('Name the train-scale result files to summarise, e.g. bench/results/train-scale-node-1m-2026-12-02.json.');

/** One row of a train-scale file, either trainer's shape. */
interface Row extends ScaleRow {
  readonly cpu_s?: number;
  readonly validation?: number;
  readonly meta_iterations?: string;
  readonly train?: { readonly validation: number; readonly tasks_per_s: number; readonly flags: string; readonly stopped_early: readonly { stage: string; iteration: number }[] };
  readonly stopped_early?: readonly { stage: string; iteration: number }[];
}

/** Validation HR@10 to 4 decimals (null when the run reached no artifact). */
const round4 = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 1e4) / 1e4);

const rows = inputs.flatMap((file) => {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { runs?: Row[]; flags?: string[]; maxMinutes?: number };
  if (!Array.isArray(json.runs)) throw new Error(`${file} has no "runs" array: is it a train-scale result?`);
  const budget = json.maxMinutes ?? Number(json.flags?.[json.flags.indexOf('--max-minutes') + 1]);
  return json.runs.map((r) => ({
    trainer: r.trainer,
    procs: r.procs,
    items: r.items,
    users: r.users,
    interactions: r.interactions,
    // Node: the meta-training step alone (bench/train-throughput.ts); PyTorch: meta-training within the run.
    tasks_per_s: r.tasks_per_s,
    tasks_per_s_in_run: r.train?.tasks_per_s ?? r.tasks_per_s,
    wall_s: r.wall_s,
    budget_min: Number.isFinite(budget) ? budget : null,
    cpu_s: r.cpu_s ?? null,
    peak_rss_mb: r.peak_rss_mb,
    validation: round4(r.validation ?? r.train?.validation),
    stopped_early: (r.stopped_early ?? r.train?.stopped_early ?? []).map((s) => `${s.stage} @ ${s.iteration}`).join(', ') || '—',
    source: basename(file),
  }));
});
rows.sort((a, b) => a.interactions - b.interactions || a.trainer.localeCompare(b.trainer) || a.procs - b.procs);
const shown = rows.map(({ trainer, procs, interactions, items, tasks_per_s, tasks_per_s_in_run, wall_s, budget_min, cpu_s, peak_rss_mb, validation, stopped_early }) => ({
  trainer,
  procs,
  interactions,
  items,
  'tasks/s (step)': tasks_per_s,
  'tasks/s (run)': tasks_per_s_in_run,
  'wall min': wall_s === null ? '—' : (wall_s / 60).toFixed(1),
  'budget min': budget_min ?? '—',
  'CPU s': cpu_s ?? '—',
  'peak RSS MB': peak_rss_mb ?? '—',
  'validation HR@10': validation?.toFixed(4) ?? '—',
  'stopped early': stopped_early,
}));
console.log(table(shown));
if (out) {
  await writeFile(out, `${JSON.stringify({ command: `npm run bench:train-scale-summary -- ${process.argv.slice(2).join(' ')}`, date: new Date().toISOString(), runs: rows }, null, 1)}\n`);
  console.log(`wrote ${out}`);
}
