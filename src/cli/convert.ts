// `npm run convert -- --in <v1 dir> --out <v2 dir> [--neighbours 20] [--bias int16]`
// Turns a format v1 artifact (model.json + weights.bin + catalog.json) into
// format v2; the v1 files go to <out>/training/ unchanged (retraining reads
// them; the browser never requests them).
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkModelJson } from '../artifact';
import { SCALAR_DTYPES, type ScalarDtype } from '../artifact/v2/format';
import { parseFlags } from './flags';
import { TRAINING_DIR, writeArtifactDir } from './model-dir';
import { useNodeBackend } from './node-backend';
import { createProgress } from './progress';
import { v2FromV1 } from './v2-output';

const SPEC = {
  in: { kind: 'string', example: 'public/models/demo' },
  out: { kind: 'string', example: '/tmp/demo-v2' },
  neighbours: { kind: 'number', example: '20', min: 1, max: 10_000, integer: true },
  bias: { kind: 'string', example: 'int16', choices: SCALAR_DTYPES },
} as const;

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), SPEC);
  const input = resolve(String(f.in ?? fail('--in', 'public/models/demo')));
  const out = resolve(String(f.out ?? fail('--out', '/tmp/demo-v2')));
  if (input === out) throw new Error(`--out must differ from --in (${input}): the v1 files are kept under <out>/${TRAINING_DIR}/.`);
  const log = (line: string): void => void process.stderr.write(`[convert] ${line}\n`);
  const started = performance.now();
  const text = await readFile(join(input, 'model.json'), 'utf8').catch((e: Error) => fail('--in', `a directory with model.json (${e.message})`));
  const json = JSON.parse(text) as { localrec?: { formatVersion?: unknown } };
  if (json.localrec?.formatVersion === 2) throw new Error(`${input} is already format version 2: nothing to convert.`);
  const v1: Record<string, Uint8Array> = { 'model.json': new TextEncoder().encode(text) };
  for (const name of Object.keys(checkModelJson(json).localrec.files)) v1[name] = new Uint8Array(await readFile(join(input, name)));
  await useNodeBackend('cpu');
  const progress = createProgress('convert');
  const { files, source } = await v2FromV1(v1, {
    ...(f.neighbours !== undefined ? { neighbourCount: Number(f.neighbours) } : {}),
    ...(f.bias !== undefined ? { biasDtype: f.bias as unknown as ScalarDtype } : {}),
    onProgress: (stage, done, total, unit) => progress.update(stage, done, total, unit),
  });
  progress.finish();
  // Files next to the v1 artifact that are not part of it (e.g. the demo's personas.json) come along unchanged.
  const extra: Record<string, Uint8Array> = {};
  for (const entry of await readdir(input, { withFileTypes: true })) {
    if (entry.isFile() && !(entry.name in v1)) extra[entry.name] = new Uint8Array(await readFile(join(input, entry.name)));
  }
  const bytes = await writeArtifactDir(out, { ...extra, ...files }, v1);
  const items = source.shape.items;
  const version = (JSON.parse(new TextDecoder().decode(files['model.json'])) as { localrec: { version: string } }).localrec.version;
  log(`${input}: format 1, model ${source.version}, ${items.toLocaleString('en-US')} items, dim ${source.shape.dim}, verified`);
  log(
    `wrote ${out}: model ${version}, ${Object.keys(files).length} files, ${(bytes / 1e6).toFixed(2)} MB ` +
      `(${(bytes / items).toFixed(0)} B per item; v1 weights ${(v1['weights.bin']!.byteLength / items).toFixed(0)} B per item) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  log(`the v1 files are in ${join(out, TRAINING_DIR)}/ for retraining (the browser never requests them; leave the folder out when you deploy)`);
}

function fail(flag: string, example: string): never {
  throw new Error(`Missing ${flag}: e.g. ${flag} ${example}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`convert: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
