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
import { evaluateV2, newV2Accumulator } from '../src/eval/harness-v2';
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
for (const name of names) {
  const method = METHODS[name]!();
  for (const p of protocols) {
    const objective = objectives[p];
    const reused = registry.has(name, objective);
    const [c0, w0] = [cpu(), performance.now()];
    const scorer = await registry.fitted(name, objective, () => method.fit(fold, { ks, objective, registry }));
    const [c1, w1] = [cpu(), performance.now()];
    if (p === 'v1') await evaluateV1(scorer, fold.test, { ks, folds: [fold.fold], threshold: PROTOCOL_DEFAULTS.threshold, minPositives: PROTOCOL_DEFAULTS.minPositives }, newV1Accumulator(ks), () => {});
    else await evaluateV2(scorer, fold.test, newV2Accumulator());
    // What the fit chose on validation (the neural methods' start and score, a baseline's tuning), so two runs' choices can be compared.
    const choice = scorer.tuning && 'start' in scorer.tuning ? { start: scorer.tuning.start, validation: scorer.tuning.validation, history: scorer.tuning.history } : scorer.tuning;
    const row = { method: name, protocol: p, fitCpu: c1 - c0, fitWall: (w1 - w0) / 1000, evalCpu: cpu() - c1, evalWall: (performance.now() - w1) / 1000, reused, ...(choice ? { choice } : {}) };
    rows.push(row);
    process.stdout.write(`${name.padEnd(18)} ${p}  fit ${row.fitCpu.toFixed(1).padStart(7)} cpu-s ${row.fitWall.toFixed(1).padStart(7)} s${reused ? ' (reused)' : ''}   test ${row.evalCpu.toFixed(1).padStart(6)} cpu-s ${row.evalWall.toFixed(1).padStart(6)} s\n`);
  }
}
registry.dispose();
const summary = { format, fold: fold.fold, protocols, loadAverage: { start: load0, end: loadavg()[0] }, rows };
if (flags.out) await writeFile(flags.out, JSON.stringify(summary, null, 2) + '\n');
