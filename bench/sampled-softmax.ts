// `npm run bench:sampled -- --format movielens-100k --data ../shared/data/ml-100k [--iterations 100] [--negatives 256,2048] [--seed 1] [--adam lazy,dense]`
//
// Full-catalog against sampled-softmax training, as a user runs it: `npm run
// train` with the same seed and flags, once with every item scored
// (--sampled-above 0) and once per negatives setting with sampling forced
// (--sampled-above 1), with each of `--adam`'s optimizers for the item tables
// (lazy: the default, their candidates' rows; dense: Adam over every row,
// LOCALREC_SAMPLED_ADAM=dense). Reads each artifact's validated score (the run's
// objective on its validation users), tasks/s and wall time; prints a table
// and writes bench/results/sampled-softmax-<dataset>.json.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../src/cli/flags';
import { DATASET_FORMATS } from '../src/data/load';
import { TRAIN_LIMITS } from '../src/train/config';

const flags = parseFlags(process.argv.slice(2), {
  format: { kind: 'string', example: 'movielens-100k', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  iterations: { kind: 'number', example: '100', ...TRAIN_LIMITS.iterations },
  negatives: { kind: 'numbers', example: '256,2048', ...TRAIN_LIMITS.negatives },
  seed: { kind: 'number', example: '1', ...TRAIN_LIMITS.seed },
  out: { kind: 'string', example: 'bench/results/sampled-softmax-movielens-100k.json' },
  adam: { kind: 'string', example: 'lazy,dense' },
});
const adams = (flags.adam ?? 'lazy').split(',').map((s) => s.trim());
for (const a of adams) if (a !== 'lazy' && a !== 'dense') throw new Error(`Unknown --adam "${a}": use lazy, dense or both (lazy,dense).`);
const format = flags.format ?? 'movielens-100k';
const data = flags.data ?? '../shared/data/ml-100k';
const iterations = flags.iterations ?? 100;
const negatives = flags.negatives ?? [256, 2048];
const seed = flags.seed ?? 1;

/** What one `npm run train` reported in its artifact. */
interface Run {
  readonly setting: string;
  readonly sampledAbove: number;
  readonly negatives: number | null;
  /** The item tables' optimizer of a sampled run (null: the full softmax, dense Adam). */
  readonly adam: string | null;
  readonly validation: number;
  readonly objective: string;
  readonly validationUsers: number;
  readonly items: number;
  readonly start: string;
  readonly tasksPerSecond: number;
  readonly wallSeconds: number;
}

/** Runs the training CLI into a scratch folder and reads its model.json and run report. */
async function train(setting: string, extra: string[], adam: string | null): Promise<Run> {
  const out = await mkdtemp(join(tmpdir(), 'localrec-sampled-'));
  const args = ['--format', format, '--data', data, '--out', out, '--seed', String(seed), '--iterations', String(iterations), '--pretrain-iterations', String(iterations), ...extra, '--report', join(out, 'run.json')];
  const started = performance.now();
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/train.ts', ...args], { maxBuffer: 1 << 26, env: { ...process.env, LOCALREC_SAMPLED_ADAM: adam ?? 'lazy' } }, (error, _stdout, stderr) =>
      error ? fail(new Error(`npm run train -- ${args.join(' ')} failed:\n${stderr.slice(-2000)}`)) : done(),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const meta = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { localrec: Record<string, any> };
  const report = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { tasksPerSecond: number };
  await rm(out, { recursive: true, force: true });
  const { training, validation, data: d } = meta.localrec;
  return {
    setting,
    sampledAbove: training.sampledAbove,
    negatives: training.sampled ? training.negatives : null,
    adam: training.sampled ? adam : null,
    validation: validation.score,
    objective: validation.objective,
    validationUsers: validation.users,
    items: d.items,
    start: training.start?.chosen ?? 'pooled',
    tasksPerSecond: report.tasksPerSecond,
    wallSeconds: Math.round(wallSeconds),
  };
}

const settings = [
  { name: 'full', extra: ['--sampled-above', '0'], adam: null },
  ...negatives.flatMap((n) => adams.map((adam) => ({ name: `sampled, ${n} negatives, ${adam} Adam`, extra: ['--sampled-above', '1', '--negatives', String(n)], adam }))),
];
const runs: Run[] = [];
for (const { name, extra, adam } of settings) {
  const run = await train(name, extra, adam);
  runs.push(run);
  console.log(`${name.padEnd(40)} validation ${run.validation.toFixed(4)}  start ${run.start}  ${run.tasksPerSecond} tasks/s  ${run.wallSeconds} s`);
}
const full = runs[0]!.validation;
console.log(`\n${runs[0]!.objective}, ${runs[0]!.validationUsers} validation users, ${runs[0]!.items} items, --iterations ${iterations}, seed ${seed}\n`);
console.log('| setting | validation | ÷ full | tasks/s | wall s |\n|---|---:|---:|---:|---:|');
for (const r of runs) console.log(`| ${r.setting} | ${r.validation.toFixed(4)} | ${(r.validation / full).toFixed(3)} | ${r.tasksPerSecond} | ${r.wallSeconds} |`);
const name = format === 'csv' ? 'csv' : format;
const file = flags.out ?? `bench/results/sampled-softmax-${name}.json`;
const command = `npm run bench:sampled -- ${process.argv.slice(2).join(' ')}`.trim();
await writeFile(file, `${JSON.stringify({ command, date: new Date().toISOString(), format, iterations, seed, runs }, null, 1)}\n`);
console.log(`wrote ${file}`);
