import { catalogItems } from '../../../src/artifact';
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArtifact } from '../../../src/artifact/decode';
import { decodeModelV2, filesV2 } from '../../../src/artifact/v2';
import { dequantizeRow } from '../../../src/core/int8-rows';
import { listRow } from '../../../src/core/item-lists';

const root = resolve(__dirname, '../../..');
// The shipped demo's v1 training output: what `npm run convert` turns into the v2 the site serves.
const demo = resolve(root, 'public/models/demo/training');
const run = promisify(execFile);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `npm run convert -- ...` as a user would. */
function convert(args: string[]) {
  return run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/convert.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
}

const read = (dir: string, names: readonly string[]) => Object.fromEntries(names.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));

describe('npm run convert', () => {
  it('turns the shipped v1 model into v2: the same item table within int8 steps, its catalog, its neighbours; v1 kept under training/', async () => {
    const out = mkdtempSync(join(tmpdir(), 'localrec-convert-'));
    // A v1 directory as a site has it: the artifact and a file that is not part of it (the demo's personas).
    const input = mkdtempSync(join(tmpdir(), 'localrec-convert-in-'));
    for (const name of readdirSync(demo)) copyFileSync(join(demo, name), join(input, name));
    copyFileSync(join(demo, '..', 'personas.json'), join(input, 'personas.json'));
    const { stderr } = await convert(['--in', input, '--out', out]);
    expect(stderr).toMatch(/quantize .*3,?998\/3,?998 rows/); // the shared progress renderer prints counts without separators
    expect(stderr).toMatch(/wrote .*B per item/);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as unknown;
    const v2 = await decodeModelV2(json, read(out, filesV2(json)));
    const v1Json = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as unknown;
    const v1 = await parseArtifact(v1Json, read(demo, ['weights.bin', 'catalog.json']));
    expect(readdirSync(join(out, 'training')).sort()).toEqual(['catalog.json', 'model.json', 'weights.bin']);
    expect(readdirSync(out)).toContain('personas.json');
    // The same items, renumbered (neighbours close together): found by id.
    expect(catalogItems(v2.catalog).map((c) => c.id).sort()).toEqual(v1.catalog.map((c) => c.id).sort());
    const at = v1.catalog.map((c) => v2.catalog.indexOf(c.id)!);
    expect(v2.meta.training['convertedFrom']).toBe(v1.meta.version);
    const [vectors, context, bias] = [await v1.items.vectors.data(), await v1.items.context.data(), await v1.items.bias.data()];
    const dim = v1.meta.shape.dim;
    const row = new Float32Array(dim);
    for (let i = 0; i < v1.catalog.length; i += 7) {
      const j = at[i]!;
      expect(v2.catalog.item(j)).toEqual(v1.catalog[i]);
      for (const [rows, values] of [[v2.model.items.vectors, vectors], [v2.model.items.context, context]] as const) {
        dequantizeRow(rows, j, row);
        for (let d = 0; d < dim; d++) expect(Math.abs(row[d]! - values[i * dim + d]!)).toBeLessThanOrEqual(rows.scales[j]! / 2 + 1e-6);
      }
      expect(v2.model.items.bias[j]).toBeCloseTo(bias[i]!, 3);
      const m = v1.neighbours!.m;
      const want = Array.from(v1.neighbours!.ids.subarray(i * m, (i + 1) * m)).filter((id, s) => id >= 0 && v1.neighbours!.sims[i * m + s]! >= v2.model.neighbours!.scale / 2);
      expect(listRow(v2.model.neighbours!, j).ids).toEqual(want.map((id) => at[id]!).sort((a, b) => a - b));
    }
    v1.dispose();
  });

  it('keeps only the most similar neighbours when asked, and refuses to convert a v2 directory', async () => {
    const out = mkdtempSync(join(tmpdir(), 'localrec-convert-'));
    await convert(['--in', demo, '--out', out, '--neighbours', '10']);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as unknown;
    const v2 = await decodeModelV2(json, read(out, filesV2(json)));
    expect(v2.model.neighbours!.entries).toBeLessThanOrEqual(10 * v2.catalog.length);
    expect(v2.model.neighbours!.entries).toBeGreaterThan(9 * v2.catalog.length);
    await expect(convert(['--in', out, '--out', `${out}-again`])).rejects.toThrow(/is already format version 2: nothing to convert/);
  });
});
