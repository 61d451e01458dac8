import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactFiles, parseArtifact } from '../../../src/artifact/decode';
import { itWithData, realData } from '../support/real-data';

const root = resolve(__dirname, '../../..');
const ml100k = realData('ml-100k', 'u.data');
const run = promisify(execFile);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `npm run train -- ...` as a user would and loads what it wrote. */
async function trainAndLoad(args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'localrec-train-'));
  const { stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/train.ts', ...args, '--out', out], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as unknown;
  const files = Object.fromEntries(artifactFiles(json).map((f) => [f, new Uint8Array(readFileSync(join(out, f)))]));
  return { model: await parseArtifact(json, files), stderr };
}

describe('npm run train', () => {
  it('trains on a small synthetic world, reports progress and writes an artifact that loads', async () => {
    const { model, stderr } = await trainAndLoad([
      '--format', 'synthetic', '--seed', '3', '--world-items', '200', '--world-users', '300',
      '--iterations', '20', '--pretrain-iterations', '20', '--min-positives', '10',
    ]);
    expect(stderr).toMatch(/tasks\/s/);
    expect(stderr).toMatch(/validation next-click HR@10 0\.\d{4}/);
    expect(model.meta.algorithm).toBe('maml');
    expect(model.meta.shape.items).toBe(model.catalog.length);
    expect(model.meta.data.name).toBe('synthetic');
    model.dispose();
  });

  it('names the bad flag value and the choices', async () => {
    await expect(trainAndLoad(['--format', 'synthetic', '--algo', 'sgd'])).rejects.toThrow(/--algo "sgd" is not one of maml, fomaml, reptile, protonet, pretrain/);
  });

  it('refuses a numeric flag out of its range, naming the flag, the value and the range (was: "Cannot read properties of null")', async () => {
    for (const algo of ['maml', 'pretrain']) {
      const failure = trainAndLoad(['--format', 'synthetic', '--algo', algo, '--iterations', '0']);
      await expect(failure).rejects.toThrow(/--iterations "0" is out of range: use a whole number from 1 to 10,000,000/);
      await expect(failure).rejects.not.toThrow(/Cannot read properties/);
    }
    await expect(trainAndLoad(['--format', 'synthetic', '--transfer', 'als', '--dim', '0'])).rejects.toThrow(/--dim "0" is out of range: use a whole number from 1 to 1,024/);
    await expect(trainAndLoad(['--format', 'synthetic', '--meta-lr', '-0.1'])).rejects.toThrow(/--meta-lr "-0.1" is out of range: use a number above 0 and at most 10/);
  });

  itWithData(ml100k, 'completes on MovieLens 100K and its output loads', async () => {
    const { model } = await trainAndLoad(['--format', 'movielens-100k', '--data', ml100k.dir, '--iterations', '30', '--pretrain-iterations', '30']);
    expect(model.catalog.length).toBe(1682);
    expect(model.meta.data.interactions).toBe(100000);
    model.dispose();
  }, 300_000); // the default path (ALS and pooled starts, list search, next-click validation): ~40 s alone, minutes on busy cores
});
