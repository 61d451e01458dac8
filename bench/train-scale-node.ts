// `npm run bench:train-scale-node -- [--runs shop-2k,shop-100k,books] [--max-minutes 10] [--data-dir data/scale] [--no-train]`
//
// The Node trainer at a site's scale (issue 14). Each run generates its log
// with `npm run gen:log` (once; reused when present), then
// - tasks_per_s: the meta-training step alone (bench/train-throughput.ts, a
//   fresh process: the defaults' MAML step with item lists, recency, next-click
//   tasks and sampled softmax), so catalogs compare on what grows with them;
// - wall_s, peak_rss_mb, validation: `npm run train -- --format csv` under
//   `--max-minutes`, wall time measured around the whole command (loading,
//   vocabulary, item-list and ALS searches, training, validation, writing),
//   peak RSS and tasks/s from the run's `--report`, the score from the artifact. `--no-train` skips it.
// Rows { trainer, procs, items, users, interactions, tasks_per_s, wall_s,
// peak_rss_mb } under "runs" in bench/results/train-scale-<date>.json, the
// shape the PyTorch rows use (wall_s and peak_rss_mb null without a train run).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFlags } from '../src/cli/flags';
import type { ScaleRow } from './scale-row';

/** A benchmark run: the generator's flags and the training flags besides data and budget. */
interface Spec {
  readonly gen: readonly string[];
  readonly train: readonly string[];
}

const SPECS: Record<string, Spec> = {
  'shop-2k': { gen: ['--catalog', 'shop', '--items', '2000', '--interactions', '1000000', '--seed', '1'], train: [] },
  'shop-100k': { gen: ['--catalog', 'shop', '--items', '100000', '--interactions', '1000000', '--seed', '1'], train: [] },
  'shop-100k-10m': { gen: ['--catalog', 'shop', '--items', '100000', '--interactions', '10000000', '--seed', '1'], train: [] },
  // Every tag a feature (min count 1), as the issue asks of the book catalog: no vocabulary search.
  books: { gen: ['--catalog', 'books', '--items', '27000', '--interactions', '1000000', '--seed', '1'], train: ['--tag-min-counts', '1'] },
};

const flags = parseFlags(process.argv.slice(2), {
  runs: { kind: 'string', example: 'shop-2k,shop-100k,books' },
  'max-minutes': { kind: 'number', example: '10', min: 0.1, max: 600 },
  'data-dir': { kind: 'string', example: 'data/scale' },
  out: { kind: 'string', example: 'bench/results/train-scale-2026-12-01.json' },
  'no-train': { kind: 'bool', example: 'true' },
});
const names = (flags.runs ?? 'shop-2k,shop-100k,books').split(',').map((s) => s.trim());
for (const n of names) if (!SPECS[n]) throw new Error(`Unknown run "${n}": use some of ${Object.keys(SPECS).join(', ')}.`);
const maxMinutes = flags['max-minutes'] ?? 10;
const dataDir = resolve(flags['data-dir'] ?? 'data/scale');
const tsx = resolve('node_modules/tsx/dist/cli.mjs');

/** Runs a TypeScript entry point; its progress goes to our terminal, its stdout is returned. */
function run(script: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsx, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => (code === 0 ? done(out) : fail(new Error(`${script} ${args.join(' ')} exited with ${signal ?? code}`))));
  });
}

/** One row of the results, in the shape shared with the PyTorch trainer's rows. */
interface Row extends ScaleRow {
  readonly trainer: 'node';
  readonly procs: 1;
  readonly run: string;
  readonly gen_flags: string;
  /** Peak RSS of the throughput process (the step's own memory, all tags as features). */
  readonly step_peak_rss_mb: number;
  readonly sampled: boolean;
  readonly train?: {
    readonly flags: string;
    readonly tasks_per_s: number;
    readonly distinct_tags: number;
    readonly features: number;
    readonly validation: number;
    readonly objective: string;
    readonly start: string;
    readonly stopped_early: readonly { stage: string; iteration: number }[];
  };
}

const rows: Row[] = [];
for (const name of names) {
  const spec = SPECS[name]!;
  const data = join(dataDir, name);
  if (!existsSync(join(data, 'interactions.csv'))) await run('src/cli/gen-log.ts', [...spec.gen, '--out', data]);
  const step = JSON.parse(await run('bench/train-throughput.ts', ['--data', data]));
  let trained: { wall: number; meta: any; report: { tasksPerSecond: number; peakRssMb: number }; tags: number; flags: string } | undefined;
  if (!flags['no-train']) {
    const out = await mkdtemp(join(tmpdir(), `localrec-scale-${name}-`));
    const train = ['--format', 'csv', '--data', data, '--max-minutes', String(maxMinutes), '--model-format', '2', ...spec.train];
    const started = performance.now();
    const reportFile = join(out, 'run.json');
    await run('src/cli/train.ts', [...train, '--out', out, '--report', reportFile]);
    const wall = (performance.now() - started) / 1000;
    const meta = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).localrec;
    const report = JSON.parse(await readFile(reportFile, 'utf8'));
    const tags = new Set<string>();
    // v2 splits the catalog into shards listed in model.json (v1: one catalog.json).
    const shards: { file: string }[] = Array.isArray(meta.catalog) ? meta.catalog : [{ file: 'catalog.json' }];
    for (const { file } of shards) for (const item of JSON.parse(await readFile(join(out, file), 'utf8')).items ?? []) for (const t of item.tags ?? []) tags.add(t);
    await rm(out, { recursive: true, force: true });
    trained = { wall, meta, report, tags: tags.size, flags: train.join(' ').replace(data, '<log>') };
  }
  const meta = trained?.meta;
  const row: Row = {
    trainer: 'node',
    procs: 1,
    items: step.items,
    users: step.users,
    interactions: step.interactions,
    tasks_per_s: step.tasks_per_s,
    wall_s: trained ? Math.round(trained.wall) : null,
    peak_rss_mb: trained ? trained.report.peakRssMb : null,
    run: name,
    gen_flags: spec.gen.join(' '),
    step_peak_rss_mb: step.peak_rss_mb,
    sampled: step.sampled,
    ...(trained
      ? {
          train: {
            flags: trained.flags,
            tasks_per_s: trained.report.tasksPerSecond,
            distinct_tags: trained.tags,
            features: meta.training.vocabulary.features,
            validation: meta.validation.score,
            objective: meta.validation.objective,
            start: meta.training.start?.chosen ?? 'pooled',
            stopped_early: meta.training.budget.stoppedEarly,
          },
        }
      : {}),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}

console.log('\n| run | items | users | interactions | tasks/s (step) | wall s | peak RSS MB | validation | stopped early |\n|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const stops = r.train ? r.train.stopped_early.map((s) => `${s.stage} @ ${s.iteration}`).join(', ') || '—' : 'not trained';
  console.log(`| ${r.run} | ${r.items} | ${r.users} | ${r.interactions} | ${r.tasks_per_s} | ${r.wall_s ?? '—'} | ${r.peak_rss_mb ?? '—'} | ${r.train?.validation.toFixed(4) ?? '—'} | ${stops} |`);
}
const small = rows.find((r) => r.run === 'shop-2k');
const large = rows.find((r) => r.run === 'shop-100k');
if (small && large) console.log(`\ntasks/s at ${large.items} items ÷ at ${small.items} items: ${(large.tasks_per_s / small.tasks_per_s).toFixed(2)} (target ≥ 0.5)`);
const date = new Date().toISOString().slice(0, 10);
const file = flags.out ?? `bench/results/train-scale-${date}.json`;
const command = `npm run bench:train-scale-node -- ${process.argv.slice(2).join(' ')}`.trim();
await writeFile(file, `${JSON.stringify({ command, date: new Date().toISOString(), maxMinutes, runs: rows }, null, 1)}\n`);
console.log(`wrote ${file}`);
