// `npm run train:prepare -- <the flags of npm run train> --out <dir>`: the data step of
// `npm run train:dist`. Loads any format `npm run train` reads, applies the protocol's
// preparation and the shipping split, and writes a bundle the PyTorch trainer memory-maps:
//   prepared.json  small header (dataset, split, fingerprint, the files below)
//   catalog.json   the artifact's catalog.json, byte for byte ({ items: [{ id, title, tags }] })
//   users.ptr      int64 [users + 1]  CSR offsets of each user's ordered positives
//   users.items    int32 [positives]  catalog indices, in protocol order
//   users.role     uint8 [users]      0 training, 1 validation, 2 unused: the validation bucket below
//                                     --min-positives and beyond the --validation-users subset
//   vocabulary.json the tag vocabulary chosen on the validation users ({ names, minCount, trials })
//   personas.json  the synthetic world's demo visitors (synthetic format only)
// Users are in the protocol's order (ascending id), little-endian, no JSON arrays of numbers.
// The choices made on validation users (which users, which tags) are made here, once, by the
// functions `npm run train` calls, so both trainers learn on the same features and choose by
// the same users; `choices` records the settings they depend on, and the PyTorch trainer
// refuses a bundle prepared with other ones.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catalogItems, dataFingerprint, validationSubset, validationUserCap } from '../train/dataset-split';
import type { TrainConfig } from '../train/config';
import { VOCABULARY_BUDGET_SHARE } from '../train/trainer';
import { chooseVocabulary, PROXY_TRAINING_USERS, proxyValidationUsers, type VocabularyChoice } from '../train/vocabulary';
import { userRole } from '../protocol/data';
import { useNodeBackend } from './node-backend';
import { parseFlags } from './flags';
import { TRAIN_FLAGS, trainArgsFromFlags } from './train-args';
import { loadTrainInput, type TrainInput } from './train-data';
import { CHOICE_SETTINGS, PREPARED_FORMAT, PREPARED_VERSION, ROLE, type ChoiceSettings, type Dtype, type PreparedHeader } from './prepared-format';

/**
 * The validation subset and the vocabulary of a run with `config`, as `npm run train` chooses them (train/trainer.ts).
 * `startedAt`: when the run's --max-minutes budget started (performance.now() clock, ms; default now): train:dist's start.
 */
export async function prepareChoices(
  input: TrainInput,
  config: ChoiceSettings & Pick<TrainConfig, 'maxMinutes' | 'algorithm'>,
  onTrial?: (t: VocabularyChoice['trials'][number]) => void,
  startedAt: number = performance.now(),
): Promise<{ validation: ReadonlySet<string>; vocabulary: VocabularyChoice }> {
  const started = startedAt;
  const users = validationSubset(input.data.validation, validationUserCap(config.validationUsers, input.data.tags.length), config.seed);
  // The share of --max-minutes trainMeta gives its vocabulary search (trainPretrain's search has no deadline).
  const deadline = config.maxMinutes > 0 && config.algorithm !== 'pretrain' ? started + config.maxMinutes * 60_000 * VOCABULARY_BUDGET_SHARE : undefined;
  const vocabulary = await chooseVocabulary({ ...input.data, validation: users }, config, onTrial, deadline);
  return { validation: new Set(users.map((u) => u.user)), vocabulary };
}

/** Writes the bundle for `input` into `dir` (prepared.json last: a reader never sees half a bundle). */
export async function writePrepared(dir: string, input: TrainInput, config: ChoiceSettings, chosen: { validation: ReadonlySet<string>; vocabulary: VocabularyChoice }): Promise<PreparedHeader> {
  const { prepared, dataset, fold, minPositives } = input;
  const users = prepared.users;
  const ptr = new BigInt64Array(users.length + 1);
  const role = new Uint8Array(users.length);
  users.forEach((u, i) => {
    ptr[i + 1] = ptr[i]! + BigInt(u.items.length);
    role[i] = userRole(u.user, fold) !== 'validation' ? ROLE.train : u.items.length >= minPositives && chosen.validation.has(u.user) ? ROLE.validation : ROLE.unused;
  });
  const items = new Int32Array(Number(ptr[users.length]));
  users.forEach((u, i) => items.set(u.items, Number(ptr[i])));
  const count = (r: number): number => role.reduce((n, x) => n + (x === r ? 1 : 0), 0);
  const split = { fold, minPositives, threshold: input.threshold, train: count(ROLE.train), validation: count(ROLE.validation), validationBucket: input.data.validation.length, unused: count(ROLE.unused) };
  // The bundle must describe the very split `npm run train` trains and validates on.
  if (split.train !== input.data.train.length || split.validation !== chosen.validation.size) {
    throw new Error(`Prepared roles (${split.train} training, ${split.validation} validation users) disagree with the shipping split (${input.data.train.length}, ${chosen.validation.size}).`);
  }
  const { names, minCount, trials } = chosen.vocabulary;
  const catalog = new TextEncoder().encode(JSON.stringify({ items: catalogItems(prepared) }));
  const files: Record<string, Uint8Array> = {
    'users.ptr': bytesOf(ptr),
    'users.items': bytesOf(items),
    'users.role': role,
    'catalog.json': catalog,
    'vocabulary.json': new TextEncoder().encode(JSON.stringify({ names, minCount, trials })),
    ...(input.personas ? { 'personas.json': new TextEncoder().encode(JSON.stringify({ personas: input.personas })) } : {}),
  };
  const dtypes: Record<string, Dtype> = { 'users.ptr': 'int64', 'users.items': 'int32', 'users.role': 'uint8' };
  const sizes: Record<string, number> = { 'users.ptr': 8, 'users.items': 4, 'users.role': 1 };
  const header: PreparedHeader = {
    format: PREPARED_FORMAT,
    version: PREPARED_VERSION,
    dataset: {
      name: dataset.name,
      format: input.format,
      positives: prepared.positives,
      fingerprint: await dataFingerprint(dataset),
      users: users.length,
      items: prepared.catalog.length,
      interactions: dataset.interactions.length,
    },
    split,
    choices: Object.fromEntries(CHOICE_SETTINGS.map((k) => [k, config[k]])) as unknown as ChoiceSettings,
    vocabulary: { minCount, features: names.length, searched: trials.length > 1 },
    files: Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [name, dtypes[name] ? { dtype: dtypes[name], length: bytes.byteLength / sizes[name]!, bytes: bytes.byteLength } : { bytes: bytes.byteLength }]),
    ),
  };
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, 'prepared.json.tmp'), JSON.stringify(header, null, 1));
  await rename(join(dir, 'prepared.json.tmp'), join(dir, 'prepared.json'));
  return header;
}

function bytesOf(array: BigInt64Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** What the data step adds to npm run train's flags. */
const PREPARE_FLAGS = {
  // train:dist passes its own start, so that the share of --max-minutes the vocabulary search gets counts from the command's start.
  'started-at': { kind: 'number', example: '1764650000000', min: 0, max: 1e15 },
} as const;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { ...TRAIN_FLAGS, ...PREPARE_FLAGS });
  const args = trainArgsFromFlags(flags);
  // The budget's start on this process's performance.now() clock.
  const budgetStart = flags['started-at'] !== undefined ? performance.now() - (Date.now() - flags['started-at']) : performance.now();
  const out = resolve(args.out);
  const started = performance.now();
  const log = (line: string): void => void process.stderr.write(`[prepare] ${line}\n`);
  // The vocabulary search validates on tfjs: the backend `npm run train` uses by default, so both choose alike.
  await useNodeBackend(args.backend);
  const input = await loadTrainInput(args);
  const { tagMinCounts, validationUsers } = args.config;
  // Each trial validates against the whole catalog: minutes at 100k items, so say what runs.
  const validating = Math.min(validationUserCap(validationUsers, input.data.tags.length), input.data.validation.length);
  const scoring = proxyValidationUsers(Array.from({ length: validating }), input.data.tags.length, 0).length;
  const fitting = Math.min(input.data.train.length, PROXY_TRAINING_USERS);
  log(`choosing the tag vocabulary among minimum counts ${tagMinCounts.join(', ')} (one trial per distinct vocabulary) by an ALS proxy fit on ${fitting} training users, scored on ${scoring} of the ${validating} validation users`);
  const chosen = await prepareChoices(input, args.config, (t) => log(`vocabulary: tags on ≥ ${t.minCount} items, ${t.features} features: validation ${t.validation?.toFixed(4)}`), budgetStart);
  const header = await writePrepared(out, input, args.config, chosen);
  const { dataset, split, vocabulary } = header;
  log(
    `${dataset.name}: ${dataset.items} items, ${dataset.interactions} interactions → ${split.train} training, ${split.validation} validation users` +
      `${split.validation < split.validationBucket ? ` (of ${split.validationBucket})` : ''}, vocabulary of ${vocabulary.features} features (tags on ≥ ${vocabulary.minCount} items); ` +
      `wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

// Run as a command (train:dist runs it in a process of its own, so its memory is returned before training).
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((err: unknown) => {
    process.stderr.write(`prepare: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
