// `npm run bench:train-scale -- --data bench/data/shop-1m --procs 1,2 -- --max-minutes 8`
// The PyTorch trainer at a site's scale (issue 14): `npm run train:dist` on a csv log
// (`npm run gen:log -- --items 100000 --interactions 1000000 --out bench/data/shop-1m`
// writes one, the generator bench/train-scale-node.ts uses), run as a user runs it. The
// data step (`npm run train:prepare`, with the same flags: it chooses the validation users
// and the vocabulary) runs inside the first run, so --max-minutes is one clock over the
// whole command, as a user runs it; later process counts reuse its bundle and add its time. Flags after `--` go to the data step and
// every train:dist run (bound them with --max-minutes or --iterations on a shared machine).
// Rows under "runs": { trainer, procs, items, users, interactions, tasks_per_s, wall_s,
// peak_rss_mb, ... }: wall_s is prepare + training to a validated artifact; peak_rss_mb
// the largest sum of resident memory over the whole process tree (torchrun, every rank);
// cpu_s (user + system, all processes) is the steadier measure while other jobs share
// the cores; phases_s how long each phase of the trainer took, from its log.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseFlags } from '../src/cli/flags';
import { table } from './stats';

const split = process.argv.indexOf('--', 2);
const own = split < 0 ? process.argv.slice(2) : process.argv.slice(2, split);
const passed = split < 0 ? [] : process.argv.slice(split + 1);
const flags = parseFlags(own, {
  data: { kind: 'string', example: 'bench/data/shop-1m' },
  procs: { kind: 'numbers', example: '1,2', min: 1, max: 64, integer: true },
  prepared: { kind: 'string', example: 'bench/data/shop-1m.prepared' },
  out: { kind: 'string', example: 'bench/results/train-scale-torch-2026-12-01.json' },
});
const root = resolve(import.meta.dirname, '..');
const data = resolve(String(flags.data ?? 'bench/data/shop-1m'));
const prepared = resolve(String(flags.prepared ?? `${data}.prepared`));
const procs = flags.procs ?? [1, 2];
const date = new Date().toISOString().slice(0, 10);
const out = resolve(String(flags.out ?? `bench/results/train-scale-torch-${date}.json`));
const log = (line: string) => console.error(`[bench:train-scale] ${line}`);
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

/** Resident memory (MiB) of `pid` and every process below it, from /proc. */
function treeRssMb(pid: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      rss.set(Number(name), Number(fields[21]) * 4096);
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (p: number): boolean => {
    for (let q: number | undefined = p, hops = 0; q !== undefined && q > 1 && hops < 64; q = parent.get(q), hops++) if (q === pid) return true;
    return false;
  };
  let total = 0;
  for (const [p, bytes] of rss) if (inTree(p)) total += bytes;
  return total / 2 ** 20;
}

interface Measured {
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
  readonly stderr: string;
}

/** Runs a command under GNU time (CPU seconds of every process) while sampling the tree's memory twice a second. */
function measure(args: readonly string[]): Promise<Measured> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S', ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    const timer = setInterval(() => (peak = Math.max(peak, treeRssMb(child.pid!))), 500);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(timer);
      const time = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !time) return fail(new Error(`${args.slice(2).join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`));
      done({ wall_s: (performance.now() - started) / 1000, cpu_s: Number(time[2]) + Number(time[3]), peak_rss_mb: Math.round(peak), stderr });
    });
  });
}

/** Seconds between the trainer's log lines that open and close each phase (HH:MM:SS stamps). */
function phases(stderr: string): Record<string, number> {
  const lines = stderr.split('\n').filter((l) => l.startsWith('[train:dist '));
  const at = (l: string) => {
    const [h, m, s] = l.slice(12, 20).split(':').map(Number);
    return h! * 3600 + m! * 60 + s!;
  };
  const first = (re: RegExp) => lines.find((l) => re.test(l));
  const last = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  const span = (from: string | undefined, to: string | undefined) => (from && to ? Math.max(0, at(to) - at(from)) : undefined);
  const out: Record<string, number | undefined> = {
    load: span(first(/torchrun:/), first(/ items, .* training users/)),
    item_lists: span(first(/ items, .* training users/), first(/item lists chosen/)),
    als_start: span(first(/item lists chosen/), first(/ALS start: validation/)),
    pretrain: span(first(/ALS start: validation|item lists chosen/), last(/^\S+ \S+ pretrain \d+\//)),
    meta: span(last(/^\S+ \S+ pretrain \d+\//) ?? first(/item lists chosen/), last(/^\S+ \S+ meta \d+\//)),
    write: span(last(/^\S+ \S+ meta \d+\//), first(/wrote /)),
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, number] => e[1] !== undefined));
}

if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time) measures CPU time here: apt-get install -y time');
if (!existsSync(join(data, 'interactions.csv'))) {
  throw new Error(`--data ${data} has no interactions.csv: write a shop's log with \`npm run gen:log -- --items 100000 --interactions 1000000 --out ${flags.data ?? 'bench/data/shop-1m'}\`.`);
}
// The first run is the whole command, data step included, so that --max-minutes is its one clock
// (as a user runs it); later process counts reuse its bundle and add its data step's seconds.
let bundle = existsSync(join(prepared, 'prepared.json')) ? prepared : undefined;
if (bundle) log(`prepare: reusing ${prepared} (its time is not known: delete it to measure)`);
let prepareSeconds: number | undefined;
const runs = [];
for (const n of procs) {
  const dir = join(dirname(prepared), `model-torch-${n}`);
  const report = `${dir}.run.json`;
  const source = bundle ? ['--prepared', bundle] : ['--work', `${dir}.work`];
  log(`train:dist --nproc ${n} ${source.join(' ')} ${passed.join(' ')}`);
  const r = await measure([process.execPath, tsx, 'src/cli/train-dist.ts', '--nproc', String(n), '--format', 'csv', '--data', data, ...source, '--out', dir, '--report', report, ...passed]);
  const prepare = bundle ? (prepareSeconds !== undefined ? { wall_s: prepareSeconds } : undefined) : undefined;
  if (!bundle) {
    prepareSeconds = (JSON.parse(readFileSync(report, 'utf8')) as { prepareSeconds: number }).prepareSeconds;
    bundle = join(`${dir}.work`, 'prepared');
  }
  const rate = /trained in ([\d.]+) s \(([\d,.]+) tasks\/s/.exec(r.stderr);
  if (!rate) throw new Error(`No throughput line in the train:dist output:\n${r.stderr.slice(-2000)}`);
  const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).localrec;
  const iterations = [...r.stderr.matchAll(/ meta (\d+)\/(\d+) /g)].at(-1);
  runs.push({
    trainer: 'torch',
    procs: n,
    items: meta.data.items,
    users: meta.data.users,
    interactions: meta.data.interactions,
    tasks_per_s: Number(rate[2]!.replaceAll(',', '')),
    // wall_s: the command's own (data step inside) on the first run; later runs add the first run's data step
    wall_s: Math.round((r.wall_s + (prepare?.wall_s ?? 0)) * 10) / 10,
    peak_rss_mb: r.peak_rss_mb,
    train_wall_s: Math.round((r.wall_s - (prepare ? 0 : (prepareSeconds ?? 0))) * 10) / 10,
    cpu_s: Math.round(r.cpu_s * 10) / 10,
    phases_s: { ...(prepareSeconds !== undefined ? { prepare: prepareSeconds } : {}), ...phases(r.stderr) },
    meta_iterations: iterations ? `${iterations[1]}/${iterations[2]}` : '0',
    stopped_early: meta.training.budget?.stoppedEarly ?? [],
    validation: meta.validation.score,
    objective: meta.validation.objective,
    start: meta.training.start.chosen,
    blas: meta.training.blas,
  });
}
console.log(table(runs.map((r) => ({ procs: r.procs, items: r.items, interactions: r.interactions, 'meta tasks/s': r.tasks_per_s, 'wall s': r.wall_s, 'CPU s': r.cpu_s, 'peak RSS MB': r.peak_rss_mb, 'meta its': r.meta_iterations, validation: r.validation.toFixed(4), blas: r.blas }))));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ data: flags.data ?? 'bench/data/shop-1m', date: new Date().toISOString(), flags: passed, note: 'wall_s: prepare (once, added to every run) + train:dist to a validated artifact; tasks_per_s: meta-training', runs }, null, 1)}\n`);
log(`wrote ${out}`);
