// Node-side measures: meta-training throughput per backend and algorithm.
import { disposeParams } from '../src/core/params';
import { generateWorld } from '../src/data/synthetic';
import { prepareData } from '../src/protocol/data';
import { trainPretrain } from '../src/train/pretrain';
import { trainMeta } from '../src/train/trainer';
import { DEFAULT_TRAIN_CONFIG, type Algorithm } from '../src/train/config';

export interface ThroughputRow {
  backend: string;
  algorithm: string;
  tasks_per_s: number;
  batch: number;
  inner_steps: number;
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
