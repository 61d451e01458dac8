// `npm run train:prepare -- <the data flags of npm run train> --out <dir>`: the data step of
// `npm run train:dist`. Loads any format `npm run train` reads, applies the protocol's
// preparation and the shipping split, and writes a bundle the PyTorch trainer memory-maps:
//   prepared.json  small header (dataset, split, fingerprint, the files below)
//   catalog.json   the artifact's catalog.json, byte for byte ({ items: [{ id, title, tags }] })
//   users.ptr      int64 [users + 1]  CSR offsets of each user's ordered positives
//   users.items    int32 [positives]  catalog indices, in protocol order
//   users.role     uint8 [users]      0 training, 1 validation, 2 validation bucket below --min-positives
//   personas.json  the synthetic world's demo visitors (synthetic format only)
// Users are in the protocol's order (ascending id), little-endian, no JSON arrays of numbers.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catalogItems, dataFingerprint } from '../train/dataset-split';
import { userRole } from '../protocol/data';
import { parseTrainArgs } from './train-args';
import { loadTrainInput, type TrainInput } from './train-data';

export const PREPARED_FORMAT = 'localrec-prepared';
export const PREPARED_VERSION = 1;

/** A user's role in the bundle (src/train/dataset-split.ts shippingSplit). */
export const ROLE = { train: 0, validation: 1, unused: 2 } as const;

type Dtype = 'int64' | 'int32' | 'uint8';

/** What prepared.json says. */
export interface PreparedHeader {
  readonly format: typeof PREPARED_FORMAT;
  readonly version: typeof PREPARED_VERSION;
  readonly dataset: {
    readonly name: string;
    readonly format: string;
    readonly positives: string;
    readonly fingerprint: string;
    readonly users: number;
    readonly items: number;
    readonly interactions: number;
  };
  readonly split: { readonly fold: number; readonly minPositives: number; readonly threshold: number; readonly train: number; readonly validation: number; readonly unused: number };
  readonly files: Readonly<Record<string, { readonly dtype?: Dtype; readonly length?: number; readonly bytes: number }>>;
}

/** Writes the bundle for `input` into `dir` (prepared.json last: a reader never sees half a bundle). */
export async function writePrepared(dir: string, input: TrainInput): Promise<PreparedHeader> {
  const { prepared, dataset, fold, minPositives } = input;
  const users = prepared.users;
  const ptr = new BigInt64Array(users.length + 1);
  const role = new Uint8Array(users.length);
  users.forEach((u, i) => {
    ptr[i + 1] = ptr[i]! + BigInt(u.items.length);
    role[i] = userRole(u.user, fold) !== 'validation' ? ROLE.train : u.items.length >= minPositives ? ROLE.validation : ROLE.unused;
  });
  const items = new Int32Array(Number(ptr[users.length]));
  users.forEach((u, i) => items.set(u.items, Number(ptr[i])));
  const count = (r: number): number => role.reduce((n, x) => n + (x === r ? 1 : 0), 0);
  const split = { fold, minPositives, threshold: input.threshold, train: count(ROLE.train), validation: count(ROLE.validation), unused: count(ROLE.unused) };
  // The bundle must describe the very split `npm run train` trains on.
  if (split.train !== input.data.train.length || split.validation !== input.data.validation.length) {
    throw new Error(`Prepared roles (${split.train} training, ${split.validation} validation users) disagree with the shipping split (${input.data.train.length}, ${input.data.validation.length}).`);
  }
  const catalog = new TextEncoder().encode(JSON.stringify({ items: catalogItems(prepared) }));
  const files: Record<string, Uint8Array> = {
    'users.ptr': bytesOf(ptr),
    'users.items': bytesOf(items),
    'users.role': role,
    'catalog.json': catalog,
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

async function main(): Promise<void> {
  const args = parseTrainArgs(process.argv.slice(2));
  const out = resolve(args.out);
  const started = performance.now();
  const header = await writePrepared(out, await loadTrainInput(args));
  const { dataset, split } = header;
  process.stderr.write(
    `[prepare] ${dataset.name}: ${dataset.items} items, ${dataset.interactions} interactions → ${split.train} training, ${split.validation} validation users; ` +
      `wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

// Run as a command (train:dist runs it in a process of its own, so its memory is returned before training).
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((err: unknown) => {
    process.stderr.write(`prepare: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
