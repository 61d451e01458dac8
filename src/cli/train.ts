// `npm run train -- --format <fmt> --data <dir> --algo <maml|fomaml|reptile|protonet|pretrain> --out <dir>`
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeArtifact } from '../artifact/encode';
import { DATASET_FORMATS, loadDataset, type DatasetFormat } from '../data/load';
import { generateWorld } from '../data/synthetic';
import { prepareData, PROTOCOL_DEFAULTS, userRole } from '../eval/protocol';
import { catalogItems, dataFingerprint, shippingSplit } from '../train/dataset-split';
import { trainPretrain } from '../train/pretrain';
import { chooseForModel, NEIGHBOUR_COUNTS, truncateNeighbours } from '../train/neighbour-count';
import { ALGORITHMS, DEFAULT_TRAIN_CONFIG, TRANSFERS, trainedInputs, trainMeta, type Algorithm, type TrainConfig, type Transfer, type TrainedModel } from '../train/trainer';
import { parseFlags } from './flags';
import { TRAINING_DIR, writeArtifactDir } from './model-dir';
import { v2FromV1 } from './v2-output';
import { NODE_BACKENDS, useNodeBackend, type NodeBackend } from './node-backend';

const d = DEFAULT_TRAIN_CONFIG;
const SPEC = {
  format: { kind: 'string', example: 'movielens-100k', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/ml-100k' },
  out: { kind: 'string', example: 'models/ml100k' },
  algo: { kind: 'string', example: 'maml', choices: ALGORITHMS },
  backend: { kind: 'string', example: 'wasm', choices: NODE_BACKENDS },
  seed: { kind: 'int', example: '1' },
  threshold: { kind: 'number', example: '4' },
  'min-positives': { kind: 'int', example: '25' },
  fold: { kind: 'int', example: '0' },
  dim: { kind: 'int', example: String(d.dim) },
  steps: { kind: 'int', example: String(d.innerSteps) },
  iterations: { kind: 'int', example: String(d.iterations) },
  'pretrain-iterations': { kind: 'int', example: String(d.pretrainIterations) },
  transfer: { kind: 'string', example: d.transfer, choices: TRANSFERS },
  batch: { kind: 'int', example: String(d.batchSize) },
  'meta-lr': { kind: 'number', example: String(d.metaLr) },
  'inner-lr': { kind: 'number', example: String(d.innerLr) },
  'learn-rates': { kind: 'bool', example: 'true' },
  'weight-decay': { kind: 'number', example: String(d.weightDecay) },
  'negative-weight': { kind: 'number', example: '0.5' },
  'world-items': { kind: 'int', example: '2000' },
  'world-users': { kind: 'int', example: '1500' },
  personas: { kind: 'int', example: '12' },
  'model-format': { kind: 'string', example: '2', choices: ['1', '2'] },
  'neighbour-counts': { kind: 'string', example: NEIGHBOUR_COUNTS.join(',') },
} as const;

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), SPEC);
  const format = (f.format ?? fail('--format', 'movielens-100k')) as DatasetFormat;
  const out = resolve(String(f.out ?? fail('--out', 'models/mine')));
  const seed = Number(f.seed ?? 1);
  const config: TrainConfig = {
    ...d,
    algorithm: (f.algo ?? 'maml') as Algorithm,
    seed,
    dim: Number(f.dim ?? d.dim),
    innerSteps: Number(f.steps ?? d.innerSteps),
    iterations: Number(f.iterations ?? d.iterations),
    pretrainIterations: Number(f['pretrain-iterations'] ?? d.pretrainIterations),
    transfer: (f.transfer ?? d.transfer) as Transfer,
    batchSize: Number(f.batch ?? d.batchSize),
    metaLr: Number(f['meta-lr'] ?? d.metaLr),
    innerLr: Number(f['inner-lr'] ?? d.innerLr),
    learnRates: Boolean(f['learn-rates'] ?? d.learnRates),
    weightDecay: Number(f['weight-decay'] ?? d.weightDecay),
  };
  const backend = (f.backend ?? 'wasm') as NodeBackend;
  await useNodeBackend(backend);
  const log = (line: string): void => void process.stderr.write(`[train ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  const world = { seed, ...(f['world-items'] ? { items: Number(f['world-items']) } : {}), ...(f['world-users'] ? { users: Number(f['world-users']) } : {}) };
  if (format !== 'synthetic' && f.data === undefined) fail('--data', '../shared/data/ml-100k');
  const synthetic = format === 'synthetic' ? generateWorld(world) : undefined;
  const dataset = synthetic?.dataset ?? (await loadDataset(format, String(f.data ?? ''), { world }));
  const threshold = Number(f.threshold ?? PROTOCOL_DEFAULTS.threshold);
  const prepared = prepareData(dataset, threshold);
  const minPositives = Number(f['min-positives'] ?? (format === 'synthetic' ? 20 : PROTOCOL_DEFAULTS.minPositives));
  const data = shippingSplit(prepared, Number(f.fold ?? 0), minPositives);
  log(`${dataset.name}: ${prepared.catalog.length} items, ${data.train.length} training users, ${data.validation.length} validation users (${prepared.positives})`);
  log(`${config.algorithm} on ${backend}: ${config.iterations} meta-batches of ${config.batchSize} tasks, ${config.innerSteps} inner steps, dim ${config.dim}`);

  const started = performance.now();
  const progress = (p: { iteration: number; loss: number; tasksPerSecond: number; validation?: number }): void =>
    log(
      `iteration ${p.iteration}/${config.iterations}` +
        (Number.isNaN(p.loss) ? '' : `  loss ${p.loss.toFixed(4)}  ${p.tasksPerSecond.toFixed(0)} tasks/s`) +
        (p.validation === undefined ? '' : `  validation nDCG@10 ${p.validation.toFixed(4)}`),
    );
  const model = config.algorithm === 'pretrain' ? await trainPretrain(data, config, progress) : await trainMeta(data, config, progress);
  const seconds = (performance.now() - started) / 1000;
  const steps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
  const counts = f['neighbour-counts'] === undefined ? NEIGHBOUR_COUNTS : String(f['neighbour-counts']).split(',').map(Number);
  const counted = await chooseForModel(model, () => trainedInputs(model), data.validation, config.validationKs, steps, counts);
  if (counted) log(`neighbours per item on validation: ${counted.trials.map((t) => `${t.count}: ${t.validation.toFixed(4)}`).join(', ')}; keeping ${counted.count}`);
  const neighbours = model.neighbours && counted ? truncateNeighbours(model.neighbours, counted.count) : model.neighbours;

  const files = await encodeArtifact({
    algorithm: config.algorithm,
    params: model.params,
    warm: model.warm,
    logPop: model.logPop,
    ...(neighbours ? { neighbours } : {}),
    featureNames: model.featureNames,
    catalog: catalogItems(prepared),
    steps,
    negativeWeight: Number(f['negative-weight'] ?? 0.5),
    training: { ...model.config, ...(counted ? { neighbourCount: counted } : {}), start: startSummary(model.start), backend, tfjs: '4.22.0', format, threshold, minPositives, validationFold: Number(f.fold ?? 0) },
    data: {
      name: dataset.name,
      fingerprint: await dataFingerprint(dataset),
      users: prepared.users.length,
      items: prepared.catalog.length,
      interactions: dataset.interactions.length,
    },
    validation: { objective: `mean nDCG@10 over k in {${config.validationKs.join(',')}}`, ndcg10: model.validation.mean, byK: model.validation.byK, users: data.validation.length },
  });
  // Format v2 (phase 1 of issue 13: the worker reads it from phase 2): the v1 files become the training output.
  const v2 = f['model-format'] === '2' ? (await v2FromV1(files)).files : null;
  let bytes = await writeArtifactDir(out, v2 ?? files, v2 ? files : undefined);
  if (synthetic) {
    // Simulated visitors for the demo: held-out (validation-bucket) users, never trained on.
    const fold = Number(f.fold ?? 0);
    const personas = synthetic.personas.filter((p) => userRole(p.id, fold) === 'validation').slice(0, Number(f.personas ?? 12));
    const json = new TextEncoder().encode(JSON.stringify({ personas }));
    await writeFile(join(out, 'personas.json'), json);
    bytes += json.byteLength;
  }
  log(`trained in ${seconds.toFixed(1)} s (${model.tasksPerSecond.toFixed(0)} tasks/s on ${backend}); best validation nDCG@10 ${model.validation.mean.toFixed(4)}`);
  log(`wrote ${out} (${Object.keys(v2 ?? files).join(', ')}${v2 ? `; the v1 files in ${TRAINING_DIR}/` : ''}; ${(bytes / 1024).toFixed(0)} KiB)`);
}

/** Which start won on validation, without the full ALS trial list. */
function startSummary(start: TrainedModel['start']): Record<string, unknown> {
  const { als, ...rest } = start;
  return { ...rest, ...(als ? { als: { head: als.head, validation: als.mean } } : {}) };
}

function fail(flag: string, example: string): never {
  throw new Error(`Missing ${flag}: e.g. ${flag} ${example}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`train: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
