// `npm run bench -- [--out bench/results/node.json] [--quick]`: Node-side measurements
// (click → re-ranked top 20 per catalog size and click count; meta-training
// throughput per backend and algorithm). Prints tables, writes JSON.
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseFlags } from '../src/cli/flags';
import { NODE_BACKENDS, useNodeBackend } from '../src/cli/node-backend';
import { clickToRanking, trainingThroughput, type LatencyRow, type ThroughputRow } from './node-measures';

const flags = parseFlags(process.argv.slice(2), {
  out: { kind: 'string', example: 'bench/results/node.json' },
  quick: { kind: 'bool', example: 'true' },
});
const quick = Boolean(flags.quick);
const catalogs = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const clickCounts = [5, 20, 50];
const latency: LatencyRow[] = [];
const throughput: ThroughputRow[] = [];

for (const backend of NODE_BACKENDS) {
  await useNodeBackend(backend);
  for (const catalog of catalogs) {
    for (const clicks of clickCounts) {
      const row = await clickToRanking(backend, catalog, clicks, quick ? 10 : 30);
      latency.push(row);
      console.error(`[bench] ${backend} catalog ${catalog} clicks ${clicks}: p50 ${row.p50_ms.toFixed(2)} ms`);
    }
  }
  for (const algorithm of ['maml', 'fomaml', 'reptile', 'protonet', 'pretrain'] as const) {
    const row = await trainingThroughput(backend, algorithm, quick ? 10 : 30);
    throughput.push(row);
    console.error(`[bench] ${backend} ${algorithm}: ${row.tasks_per_s.toFixed(0)} tasks/s`);
  }
}

const table = (rows: object[]): string => {
  const keys = Object.keys(rows[0] ?? {});
  const fmt = (v: unknown): string => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v));
  return [`| ${keys.join(' | ')} |`, `|${keys.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${Object.values(r).map(fmt).join(' | ')} |`)].join('\n');
};
console.log('\n## Click → re-ranked top 20 (Node, after warm-up)\n');
console.log(table(latency));
console.log('\n## Meta-training throughput (Node, synthetic world, 2,000 items)\n');
console.log(table(throughput));

const out = resolve(String(flags.out ?? 'bench/results/node.json'));
await mkdir(dirname(out), { recursive: true });
const report = { environment: { node: process.version, tfjs: tf.version.tfjs, cpus: (await import('node:os')).cpus().length }, clickToRanking: latency, trainingThroughput: throughput };
await writeFile(out, JSON.stringify(report, null, 1));
console.error(`[bench] wrote ${out}`);
