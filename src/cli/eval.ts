// `npm run eval -- --format <fmt> --data <dir> --out <report.json> [--protocol v1|v2|v1,v2]`: the benchmark protocols.
import { DATASET_FORMATS, isDatasetFormat, loadDataset } from '../data/load.js';
import { parseEvalArgs } from './eval-args';
import { runProtocols } from '../eval/harness.js';
import { cpuSeconds } from '../eval/timing.js';
import { threadFoldRunner } from './eval-threads.js';
import { DEFAULT_METHODS, DEFAULT_METHODS_V2, METHODS } from '../eval/methods/index.js';
import { prepareData } from '../protocol/data.js';
import { writeReportFiles } from '../eval/write.js';
import { useNodeBackend } from './node-backend.js';

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2), DATASET_FORMATS, Object.keys(METHODS), DEFAULT_METHODS, DEFAULT_METHODS_V2);
  if (!isDatasetFormat(args.format)) throw new Error(`--format "${args.format}" is not supported; use one of ${DATASET_FORMATS.join(', ')}`);
  const log = (line: string): void => void process.stderr.write(`[eval ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const started = performance.now();
  const cpuAtStart = cpuSeconds();
  await useNodeBackend('wasm'); // the neural methods; the baselines are plain JS
  const dataset = await loadDataset(args.format, args.data);
  const data = prepareData(dataset, args.threshold);
  log(`${dataset.name}: ${data.catalog.length} items, ${data.users.length} users with positives (${data.positives})`);
  const methods = args.methods.map((name) => METHODS[name]!());
  const threads = args.threads;
  const job = { data, methods: args.methods, protocols: args.protocols, ks: args.ks, folds: args.folds, threshold: args.threshold, minPositives: args.minPositives, steps: args.steps };
  const runner = threads > 1 ? threadFoldRunner(job, threads, log) : undefined;
  if (runner) log(`each fold's methods as tasks on ${threads} threads (--threads 1: one after another in this thread)`);
  const reports = await runProtocols(data, methods, { ...args, log, startedAt: started, cpuAtStart, threads }, args.protocols, runner);
  if (reports.v1) {
    const paths = await writeReportFiles(reports.v1, args.out);
    log(`wrote ${paths.json}, ${paths.markdown}, ${paths.svg}`);
    for (const [name, result] of Object.entries(reports.v1.methods)) {
      const cells = args.ks.map((k) => result[String(k)]).map((c) => (c && !Array.isArray(c) ? c.ndcg10.toFixed(4) : '-'));
      process.stdout.write(`v1 ${name.padEnd(18)} nDCG@10 k=${args.ks.join('/')}: ${cells.join(' ')}\n`);
    }
  }
  if (reports.v2) {
    const paths = await writeReportFiles(reports.v2, args.outV2 ?? args.out);
    log(`wrote ${paths.json}, ${paths.markdown}, ${paths.svg}`);
    for (const [name, r] of Object.entries(reports.v2.methods)) {
      process.stdout.write(`v2 ${name.padEnd(18)} HR@10 ${r.hr10.toFixed(4)} ± ${r.hr10_ci.toFixed(4)}  MRR@10 ${r.mrr10.toFixed(4)} ± ${r.mrr10_ci.toFixed(4)}\n`);
    }
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
