// `npm run train -- --format <fmt> --data <dir> --algo <maml|fomaml|reptile|protonet|pretrain> --out <dir>`
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { encodeArtifact } from '../artifact/encode';
import { catalogItems, dataFingerprint } from '../train/dataset-split';
import { COUNT_STAGE, truncateNeighbours } from '../train/neighbour-count';
import { trainPretrain } from '../train/pretrain';
import { trainMeta } from '../train/trainer';
import type { TrainConfig } from '../train/config';
import type { TrainedModel } from '../train/types';
import { TRAINING_DIR, writeArtifactDir } from './model-dir';
import { useNodeBackend } from './node-backend';
import { progressRenderer } from './progress';
import { parseTrainArgs } from './train-args';
import { loadTrainInput } from './train-data';
import { v2FromV1 } from './v2-output';

/** What the artifact says its validation score measures. */
const OBJECTIVE_NAMES: Record<TrainConfig['objective'], (ks: readonly number[]) => string> = {
  v1: (ks) => `mean nDCG@10 over k in {${ks.join(',')}} (protocol v1)`,
  v2: () => 'mean HR@10 of the next click (protocol v2)',
  both: (ks) => `mean of protocol v1's nDCG@10 over k in {${ks.join(',')}} and protocol v2's HR@10`,
};

/** The validation score's short name in progress lines. */
const SCORE_LABELS: Record<TrainConfig['objective'], string> = { v1: 'nDCG@10', v2: 'next-click HR@10', both: 'mean of nDCG@10 and next-click HR@10' };

async function main(): Promise<void> {
  // The --max-minutes budget counts from here: loading the data is part of the run.
  const started = performance.now();
  const args = parseTrainArgs(process.argv.slice(2));
  const { format, config, backend, threshold, minPositives, fold } = args;
  const out = resolve(args.out);
  await useNodeBackend(backend);
  const progress = progressRenderer(process.stderr);
  const log = progress.log;

  const { dataset, prepared, data, personas } = await loadTrainInput(args);
  log(`${dataset.name}: ${prepared.catalog.length} items, ${data.train.length} training users, ${data.validation.length} validation users (${prepared.positives})`);
  log(`${config.algorithm} on ${backend}: ${config.iterations} meta-batches of ${config.batchSize} tasks, ${config.innerSteps} inner steps, dim ${config.dim}`);

  const checkpoint = (p: { iteration: number; loss: number; tasksPerSecond: number; validation?: number }): void =>
    log(
      `iteration ${p.iteration}/${config.iterations}` +
        (Number.isNaN(p.loss) ? '' : `  loss ${p.loss.toFixed(4)}  ${p.tasksPerSecond.toFixed(0)} tasks/s`) +
        (p.validation === undefined ? '' : `  validation ${SCORE_LABELS[config.objective]} ${p.validation.toFixed(4)}`),
    );
  // The neighbour count is chosen inside the run, within its budget (train/neighbour-count).
  // LOCALREC_SAMPLED_ADAM=dense: Adam over every item row on a sampled run, the optimizer before lazy Adam (bench/sampled-softmax compares them).
  const sampledAdam = process.env.LOCALREC_SAMPLED_ADAM;
  if (sampledAdam !== undefined && sampledAdam !== 'lazy' && sampledAdam !== 'dense') throw new Error(`LOCALREC_SAMPLED_ADAM is "${sampledAdam}": use lazy (the default) or dense.`);
  const options = { neighbourCounts: args.neighbourCounts, startedAt: started, ...(sampledAdam ? { sampledAdam: sampledAdam as 'lazy' | 'dense' } : {}) };
  const model = config.algorithm === 'pretrain' ? await trainPretrain(data, config, checkpoint, progress, options) : await trainMeta(data, config, checkpoint, progress, options);
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  const run = model.run!;
  const steps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
  const counted = model.neighbourCount;
  if (counted) {
    const untried = counted.skipped ? `; not tried within the time budget: ${counted.skipped.join(', ')}` : '';
    log(`neighbours per item on validation: ${counted.trials.map((t) => `${t.count}: ${t.validation.toFixed(4)}`).join(', ')}${untried}; keeping ${counted.count}`);
  }
  const neighbours = model.neighbours && counted ? truncateNeighbours(model.neighbours, counted.count) : model.neighbours;

  const files = await encodeArtifact({
    algorithm: config.algorithm,
    params: model.params,
    warm: model.warm,
    logPop: model.logPop,
    ...(neighbours ? { neighbours } : {}),
    ...(model.transitions ? { transitions: model.transitions } : {}),
    featureNames: model.featureNames,
    catalog: catalogItems(prepared),
    steps,
    negativeWeight: args.negativeWeight,
    training: {
      engine: 'node',
      ...model.config,
      ...(counted ? { neighbourCount: counted } : {}),
      start: startSummary(model.start),
      ...(model.itemLists ? { itemLists: model.itemLists } : {}),
      vocabulary: run.vocabulary,
      validationUsers: run.validationUsers,
      sampled: run.sampled,
      // The time budget: which loops it ended early, at which batch (the kept checkpoint is the best validated one before).
      budget: { maxMinutes: config.maxMinutes, stoppedEarly: run.stoppedEarly },
      backend,
      tfjs: tfjsVersion,
      format,
      threshold,
      minPositives,
      validationFold: fold,
    },
    data: {
      name: dataset.name,
      fingerprint: await dataFingerprint(dataset),
      users: prepared.users.length,
      items: prepared.catalog.length,
      interactions: dataset.interactions.length,
    },
    validation: { objective: OBJECTIVE_NAMES[config.objective](config.validationKs), score: model.validation.mean, byK: model.validation.byK, users: run.validationUsers },
  });
  // Format v2: what visitors download; the v1 files stay as the training output under training/.
  const v2 = args.modelFormat === 2 ? (await v2FromV1(files)).files : null;
  let bytes = await writeArtifactDir(out, v2 ?? files, v2 ? files : undefined);
  if (personas) {
    // Simulated visitors for the demo: held-out (validation-bucket) users, never trained on.
    const json = new TextEncoder().encode(JSON.stringify({ personas }));
    await writeFile(join(out, 'personas.json'), json);
    bytes += json.byteLength;
  }
  // Searches count trials, training loops batches.
  for (const stop of run.stoppedEarly) {
    if (stop.stage === COUNT_STAGE) {
      log(`time budget of ${config.maxMinutes} min: the neighbour count was chosen after ${stop.iteration} of its trials (untried: ${counted?.skipped?.join(', ')}; the lists' own count needs none)`);
      continue;
    }
    const unit = stop.stage === 'pretraining' || stop.stage === 'meta-training' ? 'batch' : 'trial';
    log(`time budget of ${config.maxMinutes} min: ${stop.stage} stopped after ${unit} ${stop.iteration}; the artifact keeps the best validated checkpoint`);
  }
  if (args.report) {
    // Measurements differ run to run: a separate file, so the artifact's bytes depend only on data, flags and seed.
    const measured = { seconds: Math.round(run.seconds), wallSeconds: Math.round((performance.now() - started) / 1000), tasksPerSecond: Math.round(model.tasksPerSecond), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), validation: model.validation.mean, stoppedEarly: run.stoppedEarly };
    await writeFile(resolve(args.report), `${JSON.stringify(measured, null, 2)}\n`);
  }
  log(`trained in ${seconds.toFixed(1)} s (${model.tasksPerSecond.toFixed(0)} tasks/s on ${backend}); best validation ${SCORE_LABELS[config.objective]} ${model.validation.mean.toFixed(4)}`);
  log(`wrote ${out} (${Object.keys(v2 ?? files).join(', ')}${v2 ? `; the v1 files in ${TRAINING_DIR}/` : ''}; ${(bytes / 1024).toFixed(0)} KiB)`);
}

/** Which start won on validation, without the full ALS trial list. */
function startSummary(start: TrainedModel['start']): Record<string, unknown> {
  const { als, ...rest } = start;
  return { ...rest, ...(als ? { als: { head: als.head, validation: als.mean, ...(als.iterationsRun !== undefined ? { iterationsRun: als.iterationsRun } : {}) } } : {}) };
}

main().catch((err: unknown) => {
  process.stderr.write(`train: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
