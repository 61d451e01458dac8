// `npx tsx bench/train-throughput.ts --data <csv log> [--batches 20] [--warmup 3] [--adam lazy|dense]`
//
// The Node trainer's meta-training step alone, as trainMeta runs it with the
// defaults (MAML, 2 inner steps, batch 32, item-item and transition rows, the
// learned recency decay, next-click tasks, sampled softmax above 20,000 items,
// every tag a feature): tasks/s over `batches` batches after `warmup`, the
// mean catalog a task runs on (`task_items`: the sampled candidates above
// sampledAbove) and the process's peak RSS. A sampled run updates the item
// tables with lazy Adam, as trainMeta does (train/row-optimizer); `--adam
// dense` steps them with tf.train.adam instead (the trainer before lazy Adam). No searches and no validation, so catalogs of different
// sizes compare on the step that grows with them. Prints one JSON line
// (bench/train-scale.ts runs it in a fresh process per log).
import * as tf from '@tensorflow/tfjs-core';
import { parseFlags, required } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { disposeInputs, featureVocabulary } from '../src/core/features';
import { metaStep } from '../src/core/meta';
import { disposeParams, initParams, PARAM_NAMES, type MetaParams, type ParamName } from '../src/core/params';
import { decayOf } from '../src/core/recency';
import { loadDataset } from '../src/data/load';
import { createRng } from '../src/math/rng';
import { prepareData } from '../src/protocol/data';
import { DEFAULT_TRAIN_CONFIG as C } from '../src/train/config';
import { shippingSplit } from '../src/train/dataset-split';
import { itemSide, sideInputs } from '../src/train/item-side';
import { taskSampling } from '../src/train/negatives';
import { buildNeighbours } from '../src/train/neighbours';
import { rowOptimizer } from '../src/train/row-optimizer';
import { disposeTasks, sampleTasks } from '../src/train/tasks';
import { buildTransitions } from '../src/train/transitions';
import { NEXT_CLICK_SHARE } from '../src/train/validate';

const flags = parseFlags(process.argv.slice(2), {
  data: { kind: 'string', example: 'data/scale/shop-100k' },
  batches: { kind: 'number', example: '20', min: 1, max: 10_000, integer: true },
  warmup: { kind: 'number', example: '3', min: 0, max: 1000, integer: true },
  adam: { kind: 'string', example: 'lazy' },
});
const adam = flags.adam ?? 'lazy';
if (adam !== 'lazy' && adam !== 'dense') throw new Error(`Unknown --adam "${adam}": use lazy (row-sparse on a sampled run, as the trainer) or dense.`);
const batches = flags.batches ?? 20;
await useNodeBackend('wasm');
const dataset = await loadDataset('csv', required(flags.data, 'data', 'data/scale/shop-100k'));
const prepared = prepareData(dataset, 4);
const data = shippingSplit(prepared, 0, 25);
const side = itemSide(data, featureVocabulary(data.tags, 1));
const inputs = sideInputs(side);
const items = data.tags.length;
const shape = { items, features: side.names.length, dim: C.dim };
const neighbours = buildNeighbours(data.train, items, C.neighbours, C.neighbourShrink);
const transitions = buildTransitions(data.train, items, C.transitions, C.transitionShrink);
const sampling = taskSampling(data, items, C);
const init = initParams(shape, { seed: C.seed, innerLr: C.innerLr, protoScale: 1, decay: C.decayInit });
const vars = {} as MetaParams;
for (const n of PARAM_NAMES) vars[n] = tf.variable(init[n], true, `throughput/${n}`);
disposeParams(init);
const lazy = sampling && adam === 'lazy' ? await rowOptimizer(vars, C.metaLr) : undefined;
const optimizer = tf.train.adam(C.metaLr);
const rng = createRng(`${C.seed}:tasks`);
const config = { algorithm: 'maml', innerSteps: C.innerSteps, learnRates: C.learnRates, weightDecay: C.weightDecay, neighbours: true, transitions: true, recency: true } as const;
/** Σ over batches of the catalog a task runs on: every item, or the batch's sampled candidates. */
let columns = 0;
const step = async (): Promise<void> => {
  const recency = { decay: decayOf((await vars.logitDecay.data())[0]!), learn: true };
  const batch = sampleTasks(data.train, items, C.batchSize, rng, { neighbours, transitions, recency, nextClickShare: NEXT_CLICK_SHARE[C.objective], sampling, itemSide: side });
  columns += batch.support.positives.shape[1];
  if (lazy) {
    await lazy.step(inputs, batch, config);
    disposeTasks(batch);
    return;
  }
  const { loss, grads } = metaStep(vars, inputs, batch, config);
  optimizer.applyGradients(Object.entries(grads).map(([n, g]) => ({ name: (vars[n as ParamName] as tf.Variable).name, tensor: g! })));
  await loss.data();
  tf.dispose([loss, ...Object.values(grads)]);
  disposeTasks(batch);
};
for (let b = 0; b < (flags.warmup ?? 3); b++) await step();
columns = 0;
const started = performance.now();
const cpu = process.cpuUsage();
for (let b = 0; b < batches; b++) await step();
const seconds = (performance.now() - started) / 1000;
// CPU time of the process (user + system): steadier than the rate on shared cores.
const cpuUsed = process.cpuUsage(cpu);
const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
optimizer.dispose();
lazy?.dispose();
disposeParams(vars);
disposeInputs(inputs);
console.log(
  JSON.stringify({
    items,
    users: prepared.users.length,
    interactions: dataset.interactions.length,
    features: side.names.length,
    sampled: sampling !== undefined,
    adam: lazy ? 'lazy' : 'dense',
    tasks_per_s: Math.round((batches * C.batchSize) / seconds),
    tasks_per_cpu_s: Math.round((batches * C.batchSize) / cpuSeconds),
    task_items: Math.round(columns / batches),
    batches,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
