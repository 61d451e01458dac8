// `npm run bench:train -- --format movielens-100k --data ../shared/data/ml-100k --procs 1,2 --rounds 2 --out bench/results/train-engines-ml100k.json`
// The Node trainer (`npm run train`) and the PyTorch trainer (`npm run train:dist`, 1 and
// 2 processes) on the same data with the same (default) configuration, run as users run
// them: meta-training tasks/s, wall time, peak memory and the validation nDCG@10 each
// reaches. Rounds alternate the trainers, so a load change on the shared machine hits
// all of them; the table shows every run. Rows: { trainer, procs, items, users,
// interactions, tasks_per_s, wall_s, cpu_s, peak_rss_mb, validation, start }: cpu_s (user +
// system, all processes) is the steadier measure of work while other jobs share the cores.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseFlags } from '../src/cli/flags';
import { table } from './stats';
import type { ScaleRow } from './scale-row';

const flags = parseFlags(process.argv.slice(2), {
  format: { kind: 'string', example: 'movielens-100k' },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  procs: { kind: 'numbers', example: '1,2', min: 1, max: 64, integer: true },
  rounds: { kind: 'number', example: '2', min: 1, max: 100, integer: true },
  out: { kind: 'string', example: 'bench/results/train-engines-ml100k.json' },
});
const format = String(flags.format ?? 'movielens-100k');
const dataArg = String(flags.data ?? '../shared/data/ml-100k');
const data = resolve(dataArg);
const procs = flags.procs ?? [1, 2];
const rounds = flags.rounds ?? 1;
const out = resolve(String(flags.out ?? `bench/results/train-engines-${format}.json`));
const root = resolve(import.meta.dirname, '..');
const log = (line: string) => console.error(`[bench:train] ${line}`);

interface Run extends ScaleRow {
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
  readonly validation: number;
  readonly start: string;
}

/** Runs one training command under GNU time; its log line gives tasks/s, the model.json the rest. */
async function measure(trainer: Run['trainer'], n: number): Promise<Run> {
  const dir = join(mkdtempSync(join(tmpdir(), 'localrec-bench-train-')), 'model');
  const script = trainer === 'node' ? ['src/cli/train.ts'] : ['src/cli/train-dist.ts', '--nproc', String(n)];
  const args = [process.execPath, join(root, 'node_modules/tsx/dist/cli.mjs'), ...script, '--format', format, '--data', data, '--out', dir];
  // %e wall seconds, %M peak resident KiB of the largest process (for torchrun: the biggest rank), %U + %S CPU seconds
  const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', 'TIME %e %M %U %S', ...args], { cwd: root, maxBuffer: 1 << 26 });
  const rate = /trained in [\d.]+ s \(([\d,.]+) tasks\/s/.exec(stderr);
  const time = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (!rate || !time) throw new Error(`No throughput or time in the ${trainer} output:\n${stderr.slice(-2000)}`);
  const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).localrec;
  return {
    trainer,
    procs: n,
    items: meta.data.items,
    users: meta.data.users,
    interactions: meta.data.interactions,
    tasks_per_s: Number(rate[1]!.replaceAll(',', '')),
    wall_s: Number(time[1]),
    cpu_s: Math.round((Number(time[3]) + Number(time[4])) * 10) / 10,
    peak_rss_mb: Math.round(Number(time[2]) / 1024),
    validation: meta.validation.score ?? meta.validation.ndcg10, // "score" since objective v2 (main a23fc86)
    start: meta.training.start.chosen,
  };
}

if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time) measures wall time and peak memory here: apt-get install -y time');
const runs: Run[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const [trainer, n] of [['node', 1] as const, ...procs.map((p) => ['torch', p] as const)]) {
    log(`round ${round}/${rounds}: ${trainer}${trainer === 'torch' ? ` × ${n}` : ''}`);
    runs.push(await measure(trainer, n));
  }
}
console.log(table(runs.map((r) => ({ trainer: r.trainer, procs: r.procs, 'meta tasks/s': Math.round(r.tasks_per_s), 'wall s': r.wall_s, 'CPU s': r.cpu_s, 'peak RSS MB': r.peak_rss_mb, 'validation nDCG@10': r.validation.toFixed(4), start: r.start }))));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, JSON.stringify({ format, data: dataArg, date: new Date().toISOString(), note: 'tasks_per_s: meta-training; wall_s: the whole command (data, neighbours, ALS start, pretraining, meta-training, validation, writing)', runs }, null, 1));
log(`wrote ${out}`);
