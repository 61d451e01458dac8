// `npx tsx bench/validation-cost.ts --data <csv log> [--repeats 1]`
//
// What one validation costs, the stage that dominates a large catalog's
// training time (the ALS head search, every checkpoint and the
// neighbour-count trials each run one): the default objective (HR@10 of
// every next click of the validation users, the automatic cap of them) of a
// freshly initialised model with the default item-item and transition
// lists, every tag a feature. Reports wall and CPU seconds per validation
// (CPU seconds are the steadier figure on a shared machine) as one JSON line.
import { parseFlags, required } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { disposeInputs, featureVocabulary } from '../src/core/features';
import { disposeParams, initParams } from '../src/core/params';
import { loadDataset } from '../src/data/load';
import { prepareData } from '../src/protocol/data';
import { DEFAULT_TRAIN_CONFIG as C } from '../src/train/config';
import { shippingSplit, validationSubset, validationUserCap } from '../src/train/dataset-split';
import { itemSide, sideInputs } from '../src/train/item-side';
import { buildNeighbours } from '../src/train/neighbours';
import { buildTransitions } from '../src/train/transitions';
import { validate } from '../src/train/validate';

const flags = parseFlags(process.argv.slice(2), {
  data: { kind: 'string', example: 'data/books' },
  repeats: { kind: 'number', example: '1', min: 1, max: 100, integer: true },
});
await useNodeBackend('wasm');
const dataset = await loadDataset('csv', required(flags.data, 'data', 'data/books'));
const data = shippingSplit(prepareData(dataset, 4), 0, 25);
const items = data.tags.length;
const users = validationSubset(data.validation, validationUserCap(C.validationUsers, items), C.seed);
const side = itemSide(data, featureVocabulary(data.tags, 1));
const inputs = sideInputs(side);
const params = initParams({ items, features: side.names.length, dim: C.dim }, { seed: C.seed, innerLr: C.innerLr, protoScale: 1, decay: C.decayInit });
const lists = { neighbours: buildNeighbours(data.train, items, C.neighbours, C.neighbourShrink), transitions: buildTransitions(data.train, items, C.transitions, C.transitionShrink) };
const runs: { wall_s: number; cpu_s: number; score: number }[] = [];
for (let r = 0; r < (flags.repeats ?? 1); r++) {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  const v = await validate(params, inputs, users, C, C.innerSteps, lists);
  const used = process.cpuUsage(cpu);
  runs.push({ wall_s: (performance.now() - wall) / 1000, cpu_s: (used.user + used.system) / 1e6, score: v.mean });
}
disposeParams(params);
disposeInputs(inputs);
const round = (x: number) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ items, features: side.names.length, validation_users: users.length, runs: runs.map((r) => ({ wall_s: round(r.wall_s), cpu_s: round(r.cpu_s), score: r.score })) }));
