import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../../src/artifact/encode';
import { artifactFiles, parseArtifact } from '../../../src/artifact/decode';
import { toArrays } from '../../../src/core/params';
import { tinyModel } from '../core/fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const catalog = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id, i) => ({ id, title: `Item <${id}>`, tags: i % 2 ? ['odd'] : ['even'] }));

async function tinyArtifact() {
  const { params } = tinyModel(5);
  const files = await encodeArtifact({
    algorithm: 'maml',
    params,
    warm: new Float32Array([1, 1, 1, 1, 1, 0, 0]),
    logPop: new Float32Array([3, 1.5, 2, 0.7, 1, 0, 0]),
    featureNames: ['(all items)', 'odd', 'even'],
    catalog,
    steps: 3,
    negativeWeight: 0.5,
    training: { seed: 5 },
    data: { name: 'tiny', fingerprint: '00', users: 2, items: 7, interactions: 9 },
    validation: { ndcg10: 0.5 },
  });
  return { params, files, json: JSON.parse(new TextDecoder().decode(files['model.json'])) as unknown };
}

describe('artifact', () => {
  it('round-trips weights, catalog and metadata, with every hash verified', async () => {
    const { params, files, json } = await tinyArtifact();
    expect(artifactFiles(json).sort()).toEqual(['catalog.json', 'weights.bin']);
    const model = await parseArtifact(json, files);
    expect(model.meta.version).toMatch(/^maml-[0-9a-f]{12}$/);
    expect(model.meta.adaptation.steps).toBe(3);
    expect(model.catalog.map((c) => c.id)).toEqual(catalog.map((c) => c.id));
    expect(model.index.get('c')).toBe(2);
    const a = await toArrays(params);
    const b = await toArrays(model.params);
    for (const name of Object.keys(a) as (keyof typeof a)[]) expect(Array.from(b[name])).toEqual(Array.from(a[name]));
    expect(model.items.vectors.shape).toEqual([7, 4]);
    model.dispose();
  });

  it('refuses a tampered shard, naming the file and both hashes', async () => {
    const { files, json } = await tinyArtifact();
    const bad = files['weights.bin']!.slice();
    bad[10] = (bad[10]! + 1) % 256;
    await expect(parseArtifact(json, { ...files, 'weights.bin': bad })).rejects.toThrow(
      /"weights\.bin" of model maml-[0-9a-f]{12} failed verification: SHA-256 [0-9a-f]{64} .*expected [0-9a-f]{64}/,
    );
  });

  it('refuses a catalog that does not match the weights, and a foreign model.json', async () => {
    const { files, json } = await tinyArtifact();
    await expect(parseArtifact({ format: 'layers-model' }, files)).rejects.toThrow(/not a localrec model/);
    const m = json as { localrec: { files: Record<string, { sha256: string }> } };
    const shortCatalog = new TextEncoder().encode(JSON.stringify({ items: catalog.slice(0, 3) }));
    const { sha256Hex } = await import('../../../src/artifact/sha256');
    m.localrec.files['catalog.json']!.sha256 = await sha256Hex(shortCatalog);
    await expect(parseArtifact(m, { ...files, 'catalog.json': shortCatalog })).rejects.toThrow(/3 items, but the weights are for 7/);
  });

  it('leaks no tensors once disposed', async () => {
    const { files, json } = await tinyArtifact();
    const before = tf.memory().numTensors;
    const model = await parseArtifact(json, files);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The shipped demo is format v2; its training output (what retraining and the v1 reader use) sits under training/.
const demo = resolve(__dirname, '../../../public/models/demo/training');

describe('shipped demo artifact', () => {
  it.skipIf(!existsSync(join(demo, 'model.json')))('its v1 training output loads, verifies its hashes and stays within 2 MB', async () => {
    const json = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as unknown;
    const files: Record<string, Uint8Array> = {};
    let total = readFileSync(join(demo, 'model.json')).byteLength;
    for (const f of artifactFiles(json)) {
      files[f] = new Uint8Array(readFileSync(join(demo, f)));
      total += files[f]!.byteLength;
    }
    const model = await parseArtifact(json, files);
    expect(model.meta.data.name).toBe('synthetic');
    expect(model.catalog.length).toBe(model.meta.shape.items);
    expect(total).toBeLessThanOrEqual(2 * 1024 * 1024);
    model.dispose();
  });
});
