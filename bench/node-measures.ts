import * as tf from '@tensorflow/tfjs';
import { adapt, disposeState, initialState, rank } from '../src/core/adapt';
import { featureMatrix, itemInputs, logPopularity } from '../src/core/features';
import { computeItemTable } from '../src/core/model';
import { disposeParams, initParams } from '../src/core/params';
import { createRng } from '../src/core/rng';
import { generateWorld } from '../src/data/synthetic';
import { prepareData } from '../src/eval/protocol';
import { trainPretrain } from '../src/train/pretrain';
import { DEFAULT_TRAIN_CONFIG, trainMeta, type Algorithm } from '../src/train/trainer';

export interface LatencyRow {
  backend: string;
  catalog: number;
  clicks: number;
  steps: number;
  p50_ms: number;
  p95_ms: number;
  n: number;
}

export interface ThroughputRow {
  backend: string;
  algorithm: string;
  tasks_per_s: number;
  batch: number;
  inner_steps: number;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Time of one click: start from the clicks' prototype, adapt with the default steps, rank the top 20 (ms). */
export async function clickToRanking(backend: string, catalog: number, clicks: number, reps: number): Promise<LatencyRow> {
  const dim = DEFAULT_TRAIN_CONFIG.dim;
  const steps = DEFAULT_TRAIN_CONFIG.innerSteps;
  const rng = createRng(`bench:${catalog}`);
  const tags = Array.from({ length: catalog }, () => [`t${rng.int(50)}`, `t${rng.int(50)}`]);
  const names = ['(all items)', ...Array.from({ length: 50 }, (_, i) => `t${i}`)];
  const params = initParams({ items: catalog, features: names.length, dim }, { seed: 1 });
  const inputs = itemInputs(featureMatrix(tags, names), names.length, new Float32Array(catalog).fill(1), logPopularity(Array.from({ length: catalog }, () => rng.int(100))));
  const model = { params, items: computeItemTable(params, inputs) };
  const times: number[] = [];
  for (let r = 0; r < reps + 3; r++) {
    const events = Int32Array.from({ length: clicks }, () => rng.int(catalog));
    const t0 = performance.now();
    const start = initialState(model, events);
    const result = await adapt(model, start, { clicks: events, negatives: new Int32Array(0) }, { steps });
    await rank(model.items, result.state, 20, events);
    const ms = performance.now() - t0;
    disposeState(start);
    disposeState(result.state);
    if (r >= 3) times.push(ms); // the first runs warm up kernels
  }
  disposeParams(params);
  tf.dispose([inputs.features, inputs.warm, inputs.logPop, model.items.vectors, model.items.bias, model.items.context]);
  times.sort((a, b) => a - b);
  return { backend, catalog, clicks, steps, p50_ms: percentile(times, 0.5), p95_ms: percentile(times, 0.95), n: times.length };
}

/** Meta-training tasks per second on the default synthetic world. */
export async function trainingThroughput(backend: string, algorithm: Algorithm, iterations: number): Promise<ThroughputRow> {
  const world = generateWorld({ seed: 7 });
  const data = prepareData(world.dataset, 4);
  const training = { tags: data.content.map((c) => c?.tags), train: data.users.map((u) => u.items), validation: data.users.slice(0, 20) };
  const config = { ...DEFAULT_TRAIN_CONFIG, algorithm, iterations, validateEvery: iterations, validationKs: [5] };
  const model = algorithm === 'pretrain' ? await trainPretrain(training, config) : await trainMeta(training, config);
  disposeParams(model.params);
  return { backend, algorithm, tasks_per_s: model.tasksPerSecond, batch: config.batchSize, inner_steps: config.innerSteps };
}
