// `npm run train:dist -- --nproc 2 <the flags of npm run train>`: prepares the data in Node
// (src/cli/prepare.ts, a process of its own), then meta-trains with PyTorch under torchrun
// (trainer/, DistributedDataParallel: gloo on CPU, nccl on CUDA) and writes the same artifact.
// The training flags are npm run train's (cli/train-args.ts): the configuration they parse
// to is handed to Python as JSON, so the two trainers cannot read a flag differently.
// Multi-node: run the same command on every node with --nnodes N --node-rank R
// --rdzv-endpoint <node 0 host>:<port>; node 0 writes the artifact.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, type Flags } from './flags';
import { freePort } from './free-port';
import { TRAINING_DIR, writeArtifactDir } from './model-dir';
import { checkPrepared } from './prepared-format';
import { TRAIN_FLAGS, trainArgsFromFlags } from './train-args';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PREPARE = join(ROOT, 'src/cli/prepare.ts');
const TRAINER = join(ROOT, 'trainer');

/** The python with PyTorch: $LOCALREC_PYTHON, else Debian's /usr/bin/python3 (python3-torch). */
const PYTHON = process.env.LOCALREC_PYTHON ?? '/usr/bin/python3';

/**
 * Debian's OpenBLAS (libopenblas0-pthread). Debian's torch calls whichever BLAS
 * libblas.so.3 resolves to, and the reference BLAS's matrix products are several times
 * slower than OpenBLAS's; so the trainer uses OpenBLAS when it is installed, even where
 * update-alternatives still points at the reference one, with one BLAS thread per
 * process (the processes are the parallelism).
 */
const OPENBLAS = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/openblas-pthread`;

/** The trainer's environment: its package on PYTHONPATH, OpenBLAS when installed (a BLAS directory already on LD_LIBRARY_PATH wins). */
function trainerEnv(): Record<string, string> {
  const paths = (value: string | undefined) => (value ?? '').split(':').filter(Boolean);
  const blas = existsSync(join(OPENBLAS, 'libblas.so.3')) ? [OPENBLAS] : [];
  return {
    PYTHONPATH: [TRAINER, ...paths(process.env.PYTHONPATH)].join(':'),
    LD_LIBRARY_PATH: [...paths(process.env.LD_LIBRARY_PATH), ...blas].join(':'),
    OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1',
  };
}

/** What train:dist adds to npm run train's flags. */
const DIST_FLAGS = {
  nproc: { kind: 'number', example: '2', min: 1, max: 1024, integer: true },
  nnodes: { kind: 'number', example: '1', min: 1, max: 1024, integer: true },
  'node-rank': { kind: 'number', example: '0', min: 0, max: 1023, integer: true },
  'rdzv-endpoint': { kind: 'string', example: 'node0.example:29500' },
  resume: { kind: 'string', example: 'models/ml100k.work/checkpoint.pt' },
  work: { kind: 'string', example: 'models/ml100k.work' },
  prepared: { kind: 'string', example: 'models/ml100k.work/prepared' },
  dtype: { kind: 'string', example: 'float32', choices: ['float32', 'float64'] },
} as const;

const SPEC = { ...TRAIN_FLAGS, ...DIST_FLAGS } as const;

async function main(): Promise<void> {
  const launched = performance.now();
  // --max-minutes counts from here, across the data step and training (as npm run train counts from its start).
  const startedAt = Date.now();
  const f = parseFlags(process.argv.slice(2), SPEC);
  if (f.backend !== undefined) throw new Error(`--backend ${f.backend} picks the Node trainer's tfjs backend; train:dist trains with PyTorch: leave it out.`);
  const args = trainArgsFromFlags(f);
  const out = resolve(args.out);
  const work = resolve(f.work ?? `${out}.work`);
  const nproc = f.nproc ?? 1;
  const nnodes = f.nnodes ?? 1;
  const processes = nproc * nnodes;
  const config = args.config;
  if (config.batchSize % processes !== 0) {
    throw new Error(`--batch ${config.batchSize} is the global batch and must split evenly over ${processes} processes: use e.g. --batch ${processes * Math.max(1, Math.round(config.batchSize / processes))}.`);
  }
  if (nnodes > 1 && (f['rdzv-endpoint'] === undefined || f['node-rank'] === undefined)) {
    throw new Error(`--nnodes ${nnodes} needs --node-rank (0 … ${nnodes - 1}, this node) and --rdzv-endpoint <host:port of node 0>, on every node.`);
  }
  const log = (line: string): void => void process.stderr.write(`[train:dist ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  // One deadline, ms since the epoch, handed to the data step and to every rank (which keep rank 0's).
  const deadline = config.maxMinutes > 0 ? startedAt + config.maxMinutes * 60_000 : undefined;
  if (deadline !== undefined) log(`time budget: ${config.maxMinutes} min from now, data step included (ends ${new Date(deadline).toISOString().slice(11, 19)} UTC)`);
  const prepared = f.prepared !== undefined ? resolve(f.prepared) : join(work, 'prepared');
  if (f.prepared === undefined) {
    await run(process.execPath, ['--import', 'tsx', PREPARE, ...prepareFlags(f), `--started-at=${startedAt}`, '--out', prepared], ROOT);
  } else if (!existsSync(join(prepared, 'prepared.json'))) {
    throw new Error(`--prepared ${prepared} has no prepared.json: run \`npm run train:prepare -- <the flags of this run> --out ${prepared}\` first.`);
  } else {
    await checkPrepared(prepared, config);
  }
  const rendezvous = nnodes > 1
    ? ['--nnodes', String(nnodes), '--node_rank', String(f['node-rank']), '--rdzv_endpoint', String(f['rdzv-endpoint'])]
    : // not --standalone: Debian's torch 1.13 then always listens on port 29400, so a second run on the machine fails to start
      ['--nnodes', '1', '--rdzv_backend', 'c10d', '--rdzv_endpoint', `127.0.0.1:${await freePort()}`];
  // Debian's torchrun crashes when it sets up its default redirects; a rank that does not exist (9) avoids them.
  const torchrun = ['-m', 'torch.distributed.run', '--redirects', '9:1', '--tee', '9:1', '--nproc_per_node', String(nproc), ...rendezvous];
  // Format v2 is finished in Node from the v1 files PyTorch writes (src/cli/v2-output.ts, as npm run train does).
  const v1Out = args.modelFormat === 2 ? join(work, 'v1') : out;
  const trainer = [
    '-m', 'localrec_trainer', '--prepared', prepared, '--out', v1Out, '--checkpoint', join(work, 'checkpoint.pt'),
    '--config', JSON.stringify(config), '--negative-weight', String(args.negativeWeight),
    ...(f.resume !== undefined ? ['--resume', resolve(f.resume)] : []),
    ...(f.dtype !== undefined ? ['--dtype', f.dtype] : []),
    ...(deadline !== undefined ? ['--deadline', (deadline / 1000).toFixed(3)] : []),
    '--neighbour-counts', args.neighbourCounts.join(','),
    ...(args.report !== undefined ? ['--report', resolve(args.report)] : []),
  ];
  const preparedAt = performance.now();
  log(`torchrun: ${nproc} process${nproc > 1 ? 'es' : ''} on ${nnodes > 1 ? `node ${String(f['node-rank'])} of ${nnodes}` : 'this machine'} (${PYTHON})`);
  await run(PYTHON, [...torchrun, ...trainer], ROOT, trainerEnv());
  // Only the node that wrote the v1 files (node 0) finishes them.
  if (args.modelFormat === 2 && (f['node-rank'] ?? 0) === 0) {
    const { files, bytes } = await writeV2(v1Out, out);
    log(`wrote ${out} (${files.join(', ')}; the v1 files in ${TRAINING_DIR}/; ${(bytes / 1024).toFixed(0)} KiB)`);
  }
  if (args.report !== undefined && (f['node-rank'] ?? 0) === 0) await completeReport(resolve(args.report), (preparedAt - launched) / 1000, (performance.now() - launched) / 1000);
}

/**
 * Rank 0's report (npm run train's layout: seconds, wallSeconds, tasksPerSecond, peakRssMb, ...) with
 * wallSeconds made the whole command's, as npm run train's is: the data step and format v2 included.
 */
async function completeReport(path: string, prepareSeconds: number, wallSeconds: number): Promise<void> {
  const report = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  await writeFile(path, `${JSON.stringify({ ...report, wallSeconds: Math.round(wallSeconds), prepareSeconds: Math.round(prepareSeconds) }, null, 2)}\n`);
}

/** Format v2 in `out` from the v1 artifact in `v1Dir`, its v1 files under out/training/ and the personas beside (what npm run train --model-format 2 writes). */
async function writeV2(v1Dir: string, out: string): Promise<{ files: string[]; bytes: number }> {
  // tfjs only here: a v1 run never loads it.
  const [{ useNodeBackend }, { v2FromV1 }, { artifactFiles }] = await Promise.all([import('./node-backend'), import('./v2-output'), import('../artifact/check')]);
  await useNodeBackend('wasm');
  const read = (name: string): Promise<Uint8Array> => readFile(join(v1Dir, name)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  const json = JSON.parse(new TextDecoder().decode(await read('model.json'))) as unknown;
  const v1 = Object.fromEntries(await Promise.all(['model.json', ...artifactFiles(json)].map(async (n) => [n, await read(n)] as const)));
  const v2 = (await v2FromV1(v1)).files;
  let bytes = await writeArtifactDir(out, v2, v1);
  if (existsSync(join(v1Dir, 'personas.json'))) {
    const personas = await read('personas.json');
    await writeFile(join(out, 'personas.json'), personas);
    bytes += personas.byteLength;
  }
  return { files: [...Object.keys(v2), ...(existsSync(join(out, 'personas.json')) ? ['personas.json'] : [])], bytes };
}

/** npm run train's flags as given, for the prepare step: it loads the data and makes the run's choices on validation users (it adds --out: its bundle). */
function prepareFlags(f: Flags<typeof SPEC>): string[] {
  const skip = new Set(['out', 'backend', 'model-format', 'report']);
  return Object.keys(TRAIN_FLAGS).flatMap((name) => {
    const value = f[name as keyof typeof TRAIN_FLAGS];
    if (value === undefined || skip.has(name)) return [];
    return [`--${name}=${Array.isArray(value) ? value.join(',') : String(value)}`];
  });
}

/** Runs a command with this terminal (so rank 0's progress bar draws) and fails with its exit code. */
function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward('SIGTERM');
    process.on('SIGTERM', onTerm);
    child.on('error', (error) => fail(new Error(`${command} did not start (${error.message}): set LOCALREC_PYTHON to a python with PyTorch, or \`apt-get install -y python3-torch\`.`)));
    child.on('close', (code, signal) => {
      process.off('SIGTERM', onTerm);
      if (code === 0) done();
      else fail(new Error(`${command === PYTHON ? 'torchrun' : 'the prepare step'} exited with ${signal ?? code} (its messages are above).`));
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`train:dist: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
