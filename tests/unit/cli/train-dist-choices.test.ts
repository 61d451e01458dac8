import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { artifactFiles, parseArtifact } from '../../../src/artifact/decode';
import { decodeModelV2, filesV2 } from '../../../src/artifact/v2';
import { adapt } from '../../../src/core/adapt';
import { quantizedAdaptModel } from '../../../src/core/int8-model';
import { initialState, rank } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import { checkPrepared, ROLE } from '../../../src/cli/prepared-format';
import { parseTrainArgs } from '../../../src/cli/train-args';
import { loadTrainInput } from '../../../src/cli/train-data';
import { validationSubset } from '../../../src/train/dataset-split';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/train/config';
import { torchUnavailable } from '../train/torch-bridge';
import { writeFixture } from '../data/fixtures';

// The choices made on validation users are the data step's, once, for both trainers:
// `npm run train` and `npm run train:dist` on the same shop record the same tag
// vocabulary and validate on the same seeded subset of the validation users.
const root = resolve(__dirname, '../../..');
const run = promisify(execFile);
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[train-dist-choices] torch runs skipped: ${unavailable}`);

vi.setConfig({ testTimeout: 600_000 });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 300 shoppers of a 120-item shop, each mostly in one of four aisles; items tagged by aisle (30 items), brand (3) and sku (1). */
function shop(): string {
  const rows = ['user,item'];
  for (let u = 0; u < 300; u++) {
    const seen = new Set<number>();
    for (let j = 0; j < 14; j++) seen.add(4 * ((u * 7 + j * 5) % 30) + (u % 4));
    for (let j = 0; j < 3; j++) seen.add((u * 13 + j * 37) % 120);
    for (const i of seen) rows.push(`u${u},p${i}`);
  }
  const items = ['item,title,tags', ...Array.from({ length: 120 }, (_, i) => `p${i},Product ${i},aisle${i % 4}|brand${Math.floor(i / 3)}|sku${i}`)];
  return writeFixture({ 'interactions.csv': rows.join('\n'), 'items.csv': items.join('\n') });
}

const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
type Meta = { featureNames: string[]; training: Record<string, unknown>; validation: { users: number; score: number } };
const read = (dir: string, names: readonly string[]) => Object.fromEntries(names.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
const meta = (dir: string): Meta => (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { localrec: Meta }).localrec;

describe.skipIf(unavailable !== null)(`npm run train and npm run train:dist choose alike (${unavailable ?? 'torch found'})`, () => {
  it('record the same vocabulary and validation users; train:dist --model-format 2 writes v2 with the v1 files under training/', async () => {
    const data = shop();
    const flags = ['--format', 'csv', '--data', data, '--min-positives', '5', '--validation-users', '12', '--iterations', '10', '--pretrain-iterations', '10', '--validate-every', '5'];
    const dir = mkdtempSync(join(tmpdir(), 'localrec-choices-'));
    const [node, dist] = [join(dir, 'node'), join(dir, 'dist')];
    const reports = { node: join(dir, 'node-run.json'), dist: join(dir, 'dist-run.json') };
    await run(process.execPath, [tsx, 'src/cli/train.ts', ...flags, '--out', node, '--report', reports.node], { cwd: root, maxBuffer: 1 << 24 });
    const { stderr } = await run(process.execPath, [tsx, 'src/cli/train-dist.ts', ...flags, '--nproc', '1', '--model-format', '2', '--out', dist, '--report', reports.dist], { cwd: root, maxBuffer: 1 << 24 });

    // The data step searched three vocabularies (1, 2 and 5 items per tag give 165, 45 and 5 features) on 12 of the bucket's users.
    expect(stderr).toMatch(/\[prepare\] csv: 120 items, \d+ interactions → \d+ training, 12 validation users \(of \d+\), vocabulary of \d+ features/);
    const a = meta(node);
    const b = meta(join(dist, 'training'));
    const vocabulary = a.training['vocabulary'] as { minCount: number; features: number; trials: { minCount: number; features: number }[] };
    expect(vocabulary.trials.map((t) => [t.minCount, t.features])).toEqual([[5, 5], [2, 45], [1, 165]]);
    expect(b.training['vocabulary']).toEqual(vocabulary);
    expect(b.featureNames).toEqual(a.featureNames);
    expect(a.featureNames.length).toBe(vocabulary.features);
    for (const m of [a, b]) {
      expect(m.validation.users).toBe(12);
      expect(m.training['validationUsers']).toBe(12);
    }
    expect([a.training['engine'], b.training['engine']]).toEqual(['node', 'pytorch']);
    expect(b.training['budget']).toEqual(a.training['budget']);
    expect(b.training['sampled']).toBe(a.training['sampled']);
    // Both choose the neighbour count on the same candidates, the lists' own count scored by the kept checkpoint.
    const counts = (m: Meta) => (m.training['neighbourCount'] as { trials: { count: number; validation: number }[] }).trials;
    expect(counts(b).map((t) => t.count)).toEqual(counts(a).map((t) => t.count));
    for (const m of [a, b]) expect(counts(m).at(-1)!.validation).toBe(m.validation.score);

    // --report: the same measurements from both trainers (train:dist adds the process count and its data step's time).
    const measured = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const [nodeRun, distRun] = [measured(reports.node), measured(reports.dist)];
    expect(Object.keys(distRun).filter((k) => k !== 'processes' && k !== 'prepareSeconds')).toEqual(Object.keys(nodeRun));
    expect(distRun['processes']).toBe(1);
    for (const [report, m] of [[nodeRun, a], [distRun, b]] as const) {
      expect(report['validation']).toBe(m.validation.score);
      expect(report['stoppedEarly']).toEqual([]);
      expect(report['peakRssMb']).toBeGreaterThan(50);
      expect(report['tasksPerSecond']).toBeGreaterThan(0);
      expect(report['wallSeconds']).toBeGreaterThanOrEqual(report['seconds'] as number);
    }
    expect(distRun['wallSeconds']).toBeGreaterThanOrEqual(distRun['prepareSeconds'] as number);

    // The bundle's validation users are exactly validationSubset's (the others are unused).
    const input = await loadTrainInput(parseTrainArgs([...flags, '--out', node]));
    const subset = new Set(validationSubset(input.data.validation, 12, DEFAULT_TRAIN_CONFIG.seed).map((u) => u.user));
    const roles = readFileSync(join(dist + '.work', 'prepared', 'users.role'));
    const marked = input.prepared.users.filter((_, i) => roles[i] === ROLE.validation).map((u) => u.user);
    expect(input.data.validation.length).toBeGreaterThan(12); // the cap cut the bucket: the subset is a real choice
    expect(new Set(marked)).toEqual(subset);

    // Format v2 at the top, what npm run train --model-format 2 writes; the v1 training output under training/.
    expect(readdirSync(dist).sort()).toEqual(['catalog-000.json', 'model.json', 'training', 'weights-000.bin']);
    expect(stderr).toMatch(/the v1 files in training\//);
    const json = JSON.parse(readFileSync(join(dist, 'model.json'), 'utf8')) as unknown;
    const v2 = await decodeModelV2(json, read(dist, filesV2(json)));
    expect(v2.meta.formatVersion).toBe(2);
    const v1Json = JSON.parse(readFileSync(join(dist, 'training', 'model.json'), 'utf8')) as unknown;
    const v1 = await parseArtifact(v1Json, read(join(dist, 'training'), artifactFiles(v1Json)));
    expect(v2.meta.training['convertedFrom']).toBe(v1.meta.version);
    expect(v2.meta.training['engine']).toBe('pytorch');
    const model = quantizedAdaptModel(v2.model);
    const clicks = Int32Array.of(0, 4);
    const adapted = await adapt(model, initialState(model, clicks), { clicks, negatives: new Int32Array(0) }, { steps: v2.meta.adaptation.steps });
    expect((await rank(model.items, adapted.state, 10, clicks)).indices.length).toBe(10);
    disposeState(adapted.state);
    model.dispose();
    v1.dispose();

    // A bundle reused with settings that choose differently is refused before torchrun starts, naming the fix.
    const again = run(process.execPath, [tsx, 'src/cli/train-dist.ts', ...flags, '--validation-users', '20', '--tag-min-counts', '2', '--prepared', join(dist + '.work', 'prepared'), '--out', join(dir, 'again')], { cwd: root });
    await expect(again).rejects.toThrow(/prepared with other settings \(validationUsers 12 → 20, tagMinCounts \[1,2,5\] → \[2\]\).*rerun `npm run train:prepare/);
  });
});

describe('a prepared bundle of another version or other settings', () => {
  const header = (over: Record<string, unknown>) => ({
    format: 'localrec-prepared',
    version: 2,
    split: { validationBucket: 30 },
    choices: { ...DEFAULT_TRAIN_CONFIG, validationUsers: 12 },
    vocabulary: { minCount: 2, features: 10, searched: false },
    ...over,
  });
  const bundle = (over: Record<string, unknown>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-prepared-'));
    writeFileSync(join(dir, 'prepared.json'), JSON.stringify(header(over)));
    return dir;
  };

  it('refuses a version 1 bundle, naming the fix', async () => {
    await expect(checkPrepared(bundle({ version: 1 }), DEFAULT_TRAIN_CONFIG)).rejects.toThrow(/bundle of version 1; this localrec reads version 2, .*rerun `npm run train:prepare/);
  });

  it('checks the settings that made its choices, and only those', async () => {
    const config = { ...DEFAULT_TRAIN_CONFIG, validationUsers: 12 };
    // dim only matters when validation chose among several vocabularies
    await expect(checkPrepared(bundle({}), { ...config, dim: 8 })).resolves.toBeDefined();
    await expect(checkPrepared(bundle({ vocabulary: { minCount: 2, features: 10, searched: true } }), { ...config, dim: 8 })).rejects.toThrow(/dim 32 → 8/);
    // the seed picks the subset only when a cap cuts the bucket (30 users > 12)
    await expect(checkPrepared(bundle({}), { ...config, seed: 9 })).rejects.toThrow(/seed 1 → 9/);
    await expect(checkPrepared(bundle({ split: { validationBucket: 10 } }), { ...config, seed: 9, validationUsers: 2000 })).resolves.toBeDefined();
    await expect(checkPrepared(bundle({}), { ...config, tagMinCounts: [3] })).rejects.toThrow(/tagMinCounts \[1,2,5\] → \[3\]/);
  });
});
