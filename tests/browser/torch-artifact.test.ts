import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactFiles, parseArtifact } from '../../src/artifact/decode';
import { adapt, disposeState, initialState, rank } from '../../src/core';
import { torchUnavailable } from '../unit/train/torch-bridge';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { startHarness, type Harness } from './support/harness';
import type {} from './pages/engine-page';

// What the PyTorch trainer writes is a model the browser runs: `npm run train:dist
// --nproc 2` (real torchrun, two gloo processes) on a small synthetic world, then
// the artifact served to the engine in a real Chromium worker, which verifies,
// adapts on clicks and ranks as the Node decoder does.
const root = resolve(__dirname, '../..');
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-artifact] skipped: ${unavailable}`);

let harness: Harness;
let files: Record<string, Uint8Array>;

beforeAll(async () => {
  if (unavailable) return;
  await tf.setBackend('cpu');
  const out = join(mkdtempSync(join(tmpdir(), 'localrec-torch-')), 'model');
  const args = ['src/cli/train-dist.ts', '--nproc', '2', '--format', 'synthetic', '--seed', '5', '--world-items', '300', '--world-users', '400',
    '--min-positives', '10', '--iterations', '30', '--pretrain-iterations', '30', '--out', out];
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), ...args], { cwd: root, maxBuffer: 1 << 26 });
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  files = Object.fromEntries(['model.json', ...artifactFiles(json)].map((f) => [f, new Uint8Array(readFileSync(join(out, f)))]));
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe.skipIf(unavailable !== null)(`a model trained by train:dist on 2 processes (${unavailable ?? 'torch found'})`, () => {
  it('loads in the browser worker, adapts on clicks and ranks as the Node decoder does', async () => {
    const meta = JSON.parse(new TextDecoder().decode(files['model.json'])).localrec;
    expect(meta.training).toMatchObject({ engine: 'pytorch', processes: 2 });
    const catalog = JSON.parse(new TextDecoder().decode(files['catalog.json'])).items as { id: string }[];
    const clicked = [catalog[4]!.id, catalog[60]!.id, catalog[61]!.id];

    const { context, page } = await harness.newPage();
    const modelUrl = await serveArtifact(context, 'torch', files);
    const info = await startEngine(page, { modelUrl, backend: 'cpu', dbName: 'torch' });
    expect(info.modelVersion).toBe(meta.version);
    expect(info.items).toBe(300);
    const ranked = await page.evaluate(async (ids) => {
      const cold = await window.rec.recommend({ count: 10 });
      for (const id of ids) await window.rec.click(id);
      return { cold, warm: await window.rec.recommend({ count: 10 }), adapt: window.log.adapt };
    }, clicked);
    await context.close();

    expect(ranked.warm.map((r) => r.id)).not.toEqual(ranked.cold.map((r) => r.id)); // the clicks moved the ranking
    expect(ranked.warm.some((r) => clicked.includes(r.id))).toBe(false);
    expect(ranked.adapt.filter((a) => a.step === 0).length).toBe(3); // one adaptation per click
    // The same clicks through the Node decoder and adaptation: the worker ranks the same items.
    const model = await parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])), files);
    const index = Int32Array.from(clicked.map((id) => model.index.get(id)!));
    const start = initialState(model, index, 'tfjs');
    const adapted = await adapt(model, start, { clicks: index, negatives: new Int32Array(0) }, { steps: model.meta.adaptation.steps });
    const top = await rank(model.items, adapted.state, 10, index, 'tfjs');
    expect(ranked.warm.map((r) => r.id)).toEqual(Array.from(top.indices, (i) => model.catalog[i]!.id));
    ranked.warm.forEach((r, i) => expect(Math.abs(r.score - top.scores[i]!)).toBeLessThan(1e-3));
    disposeState(start);
    disposeState(adapted.state);
    model.dispose();
  });
});
