// `npx tsx bench/eval-profile.ts --format movielens-100k --data ../shared/data/ml-100k [--fold 0] [--methods ease,ials] [--protocol v1,v2] [--out f.json]`
//
// Where an evaluation run's time goes, method by method on one fold: CPU seconds
// (process.cpuUsage, user + system: on a shared machine the honest measure) and
// wall seconds of each method's fit + tune and of its test evaluation, per protocol, and what each fit chose,
// through the same harness and fold registry as `npm run eval`. Prints a table, writes JSON.
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseFlags } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { DATASET_FORMATS, loadDataset, type DatasetFormat } from '../src/data/load';
import { ndcgObjective } from '../src/eval/evaluate';
import { evaluateV1, newV1Accumulator } from '../src/eval/harness-v1';
import { evaluateV2Jointly, newV2Accumulator } from '../src/eval/harness-v2';
import type { Scorer } from '../src/eval/types';
import { DEFAULT_METHODS_V2, METHODS } from '../src/eval/methods/index';
import { prequentialObjective } from '../src/eval/prequential';
import { FitRegistry } from '../src/eval/registry';
import { buildFold, prepareData, PROTOCOL_DEFAULTS } from '../src/protocol/data';

const flags = parseFlags(process.argv.slice(2), {
  format: { kind: 'string', example: 'movielens-100k', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  fold: { kind: 'number', example: '0', min: 0, max: 4, integer: true },
  methods: { kind: 'strings', example: 'ease,ials', choices: Object.keys(METHODS) },
  protocol: { kind: 'strings', example: 'v1,v2', choices: ['v1', 'v2'] },
  out: { kind: 'string', example: 'bench/results/eval-profile.json' },
});
const format = (flags.format ?? 'movielens-100k') as DatasetFormat;
const protocols = (flags.protocol ?? ['v1', 'v2']) as ('v1' | 'v2')[];
const names = flags.methods ?? [...DEFAULT_METHODS_V2];
await useNodeBackend('wasm');
const data = prepareData(await loadDataset(format, flags.data ?? '../shared/data/ml-100k'), PROTOCOL_DEFAULTS.threshold);
const fold = buildFold(data, flags.fold ?? 0, PROTOCOL_DEFAULTS.minPositives);
const ks = [...PROTOCOL_DEFAULTS.ks];
const objectives = { v1: ndcgObjective(ks), v2: prequentialObjective() };

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
interface Row { method: string; protocol: string; fitCpu: number; fitWall: number; evalCpu: number; evalWall: number; reused: boolean; choice?: unknown }
const rows: Row[] = [];
const registry = new FitRegistry();
const load0 = loadavg()[0]!;
// As runFold does: protocol v2's test pass of a fit another listed method builds on (iALS under the
// blend) waits for that method's, and one pass scores each user's prefixes once for all of them.
const used = new Set(names.flatMap((n) => METHODS[n]!().uses ?? []));
const waiting: { row: Row; scorer: Scorer }[] = [];
const testJointly = async (): Promise<void> => {
  const w0 = performance.now();
  const spent = await evaluateV2Jointly(waiting.map((w) => w.scorer), fold.test, waiting.map(() => newV2Accumulator()), cpu);
  const wall = (performance.now() - w0) / 1000;
  const total = spent.reduce((a, b) => a + b, 0) || 1;
  // Wall seconds of a joint pass are shared out in proportion to each scorer's CPU seconds.
  waiting.forEach((w, i) => Object.assign(w.row, { evalCpu: spent[i]!, evalWall: (wall * spent[i]!) / total }));
  for (const w of waiting) print(w.row);
  waiting.length = 0;
};
const print = (row: Row): void => {
  process.stdout.write(`${row.method.padEnd(18)} ${row.protocol}  fit ${row.fitCpu.toFixed(1).padStart(7)} cpu-s ${row.fitWall.toFixed(1).padStart(7)} s${row.reused ? ' (reused)' : ''}   test ${row.evalCpu.toFixed(1).padStart(6)} cpu-s ${row.evalWall.toFixed(1).padStart(6)} s\n`);
};
for (const name of names) {
  const method = METHODS[name]!();
  for (const p of protocols) {
    const objective = objectives[p];
    const reused = registry.has(name, objective);
    const [c0, w0] = [cpu(), performance.now()];
    const scorer = await registry.fitted(name, objective, () => method.fit(fold, { ks, objective, registry }));
    const [c1, w1] = [cpu(), performance.now()];
    // What the fit chose on validation (the neural methods' start and score, a baseline's tuning), so two runs' choices can be compared.
    const choice = scorer.tuning && 'start' in scorer.tuning ? { start: scorer.tuning.start, validation: scorer.tuning.validation, history: scorer.tuning.history } : scorer.tuning;
    const row: Row = { method: name, protocol: p, fitCpu: c1 - c0, fitWall: (w1 - w0) / 1000, evalCpu: 0, evalWall: 0, reused, ...(choice ? { choice } : {}) };
    rows.push(row);
    if (p === 'v1') {
      await evaluateV1(scorer, fold.test, { ks, folds: [fold.fold], threshold: PROTOCOL_DEFAULTS.threshold, minPositives: PROTOCOL_DEFAULTS.minPositives }, newV1Accumulator(ks), () => {});
      Object.assign(row, { evalCpu: cpu() - c1, evalWall: (performance.now() - w1) / 1000 });
      print(row);
    } else {
      waiting.push({ row, scorer });
      if (!used.has(name)) await testJointly();
    }
  }
}
if (waiting.length) await testJointly();
registry.dispose();
const summary = { format, fold: fold.fold, protocols, loadAverage: { start: load0, end: loadavg()[0] }, rows };
if (flags.out) await writeFile(flags.out, JSON.stringify(summary, null, 2) + '\n');
