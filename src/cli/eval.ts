// `npm run eval -- --format <fmt> --data <dir> --out <report.json>`: protocol v1 cold-start benchmark.
import { DATASET_FORMATS, isDatasetFormat, loadDataset } from '../data/load.js';
import { parseEvalArgs } from './eval-args';
import { runHarness } from '../eval/harness.js';
import { DEFAULT_METHODS, METHODS } from '../eval/methods/index.js';
import { prepareData } from '../protocol/data.js';
import { writeReportFiles } from '../eval/write.js';
import { useNodeBackend } from './node-backend.js';

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2), DATASET_FORMATS, Object.keys(METHODS), DEFAULT_METHODS);
  if (!isDatasetFormat(args.format)) throw new Error(`--format "${args.format}" is not supported; use one of ${DATASET_FORMATS.join(', ')}`);
  const log = (line: string): void => void process.stderr.write(`[eval ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const started = performance.now();
  await useNodeBackend('wasm'); // the neural methods; the baselines are plain JS
  const dataset = await loadDataset(args.format, args.data);
  const data = prepareData(dataset, args.threshold);
  log(`${dataset.name}: ${data.catalog.length} items, ${data.users.length} users with positives (${data.positives})`);
  const methods = args.methods.map((name) => METHODS[name]!());
  const report = await runHarness(data, methods, { ...args, log });
  const paths = await writeReportFiles(report, args.out);
  log(`wrote ${paths.json}, ${paths.markdown}, ${paths.svg} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const [name, result] of Object.entries(report.methods)) {
    const cells = args.ks.map((k) => result[String(k)]).map((c) => (c && !Array.isArray(c) ? c.ndcg10.toFixed(4) : '-'));
    process.stdout.write(`${name.padEnd(18)} nDCG@10 k=${args.ks.join('/')}: ${cells.join(' ')}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
