import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactFiles, parseArtifact } from '../../../src/artifact/decode';
import { decodeModelV2, filesV2 } from '../../../src/artifact/v2';
import { adapt } from '../../../src/core/adapt';
import { quantizedAdaptModel } from '../../../src/core/int8-model';
import { initialState, rank } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import { writeFixture } from '../data/fixtures';

const root = resolve(__dirname, '../../..');
const run = promisify(execFile);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const read = (dir: string, names: readonly string[]) => Object.fromEntries(names.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));

describe('npm run train -- --model-format 2', () => {
  it('writes a v2 artifact that decodes and ranks, the v1 training output under training/, and the personas', async () => {
    const out = mkdtempSync(join(tmpdir(), 'localrec-train-v2-'));
    const args = ['--format', 'synthetic', '--seed', '3', '--world-items', '200', '--world-users', '300', '--iterations', '10', '--pretrain-iterations', '10', '--min-positives', '10'];
    const { stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/train.ts', ...args, '--model-format', '2', '--out', out], { cwd: root, maxBuffer: 1 << 24 });
    expect(stderr).toMatch(/the v1 files in training\//);
    const chosen = /neighbours per item on validation: 10: 0\.\d{4}, 20: 0\.\d{4}, 50: 0\.\d{4}; keeping (\d+)/.exec(stderr);
    expect(chosen).not.toBeNull();
    expect(readdirSync(out).sort()).toEqual(['catalog-000.json', 'model.json', 'personas.json', 'training', 'weights-000.bin']);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as unknown;
    const v2 = await decodeModelV2(json, read(out, filesV2(json)));
    expect(v2.meta.formatVersion).toBe(2);
    expect(v2.meta.data.name).toBe('synthetic');
    const v1Json = JSON.parse(readFileSync(join(out, 'training', 'model.json'), 'utf8')) as unknown;
    const v1 = await parseArtifact(v1Json, read(join(out, 'training'), artifactFiles(v1Json)));
    expect(v2.catalog.length).toBe(v1.catalog.length);
    expect(v2.meta.training['convertedFrom']).toBe(v1.meta.version);
    // The chosen count is what both files ship.
    expect(v1.neighbours!.m).toBe(Number(chosen![1]));
    expect(v2.model.neighbours!.entries).toBeLessThanOrEqual(v1.neighbours!.m * v1.catalog.length);
    const model = quantizedAdaptModel(v2.model);
    const clicks = Int32Array.of(0, 1);
    const adapted = await adapt(model, initialState(model, clicks), { clicks, negatives: new Int32Array(0) }, { steps: v2.meta.adaptation.steps, negativeWeight: v2.meta.adaptation.negativeWeight });
    expect((await rank(model.items, adapted.state, 10, clicks)).indices.length).toBe(10);
    disposeState(adapted.state);
    model.dispose();
    v1.dispose();
  });

  it('carries url and image from items.csv into the catalog shards', async () => {
    // 80 users of a 40-item shop: each buys 12 items of one of four aisles.
    const rows = ['user,item'];
    for (let u = 0; u < 80; u++) for (let j = 0; j < 12; j++) rows.push(`u${u},p${(u % 4) * 10 + ((u + j) % 10)}`);
    const items = ['item,title,tags,url,image', ...Array.from({ length: 40 }, (_, i) => `p${i},Product ${i},aisle${Math.floor(i / 10)},https://shop.example/p/${i},${i % 2 ? `/img/${i}.jpg` : ''}`)];
    const data = writeFixture({ 'interactions.csv': rows.join('\n'), 'items.csv': items.join('\n') });
    const out = mkdtempSync(join(tmpdir(), 'localrec-train-v2-'));
    const args = ['--format', 'csv', '--data', data, '--iterations', '5', '--pretrain-iterations', '5', '--min-positives', '5', '--transfer', 'pooled', '--model-format', '2', '--out', out];
    await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/train.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as unknown;
    const v2 = await decodeModelV2(json, read(out, filesV2(json)));
    const p7 = v2.catalog.item(v2.catalog.indexOf('p7')!);
    expect(p7).toEqual({ id: 'p7', title: 'Product 7', tags: ['aisle0'], url: 'https://shop.example/p/7', image: '/img/7.jpg' });
    expect(v2.catalog.item(v2.catalog.indexOf('p8')!)).toEqual({ id: 'p8', title: 'Product 8', tags: ['aisle0'], url: 'https://shop.example/p/8' });
  });
});
