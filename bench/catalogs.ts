// Benchmark catalogs of any size from the shipped demo model: the first n items
// when n is smaller, else copies of its 1,999 items whose id embeddings are
// jittered (so that copies do not tie). Written as real artifacts (the same
// encoder as training), cached under node_modules/.cache, so the browser
// engine and the PyTorch peer load exactly the same files.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeArtifact, parseArtifact, type Model } from '../src/artifact';
import type { Neighbours } from '../src/core/neighbours';
import { fromArrays, toArrays, type ParamName } from '../src/core/params';
import { createRng } from '../src/math/rng';

// The demo's float v1 (its training output): the benchmark scales and jitters its raw parameters.
export const DEMO_DIR = resolve('public/models/demo/training');
const CACHE_DIR = resolve('node_modules/.cache/localrec-bench');
const FILES = ['model.json', 'weights.bin', 'catalog.json'] as const;
/** Bump when writeScaled changes, so that cached catalogs are rebuilt. */
const SCALING_VERSION = 2;

/** A benchmark catalog: its directory (for the peer) and its files (served to the browser). */
export interface BenchCatalog {
  readonly items: number;
  readonly dir: string;
  readonly files: Record<string, Uint8Array>;
}

async function readDir(dir: string): Promise<Record<string, Uint8Array>> {
  const entries = await Promise.all(FILES.map(async (f) => [f, new Uint8Array(await readFile(join(dir, f)))] as const));
  return Object.fromEntries(entries);
}

async function loadDemo(): Promise<Model> {
  const files = await readDir(DEMO_DIR);
  return parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])), files);
}

/** The demo model scaled to `items` items (built once, then read from the cache). */
export async function benchCatalog(items: number): Promise<BenchCatalog> {
  const demoJson = JSON.parse(await readFile(join(DEMO_DIR, 'model.json'), 'utf8')) as { localrec: { version: string } };
  const dir = join(CACHE_DIR, `${demoJson.localrec.version}-${items}-v${SCALING_VERSION}`);
  if (!existsSync(join(dir, 'model.json'))) await writeScaled(items, dir);
  return { items, dir, files: await readDir(dir) };
}

async function writeScaled(items: number, dir: string): Promise<void> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  const demo = await loadDemo();
  try {
    const arrays = await toArrays(demo.params);
    const [warm, logPop] = [await demo.inputs.warm.data(), await demo.inputs.logPop.data()];
    const source = demo.meta.shape.items;
    const dim = demo.meta.shape.dim;
    const rng = createRng(`bench-catalog-${items}`);
    const perItem = (values: Float32Array, width: number, jitter: number): Float32Array => {
      const out = new Float32Array(items * width);
      for (let i = 0; i < items; i++) {
        const from = (i % source) * width;
        for (let d = 0; d < width; d++) out[i * width + d] = values[from + d]! + (i >= source ? jitter * rng.normal() : 0);
      }
      return out;
    };
    const scaled: Record<ParamName, Float32Array> = {
      ...arrays,
      itemEmb: perItem(arrays.itemEmb, dim, 0.05),
      ctxEmb: perItem(arrays.ctxEmb, dim, 0.05),
      itemBias: perItem(arrays.itemBias, 1, 0.05),
    };
    const params = fromArrays(scaled, { ...demo.meta.shape, items });
    const catalog = Array.from({ length: items }, (_, i) => {
      const item = demo.catalog[i % source]!;
      return i < source ? item : { ...item, id: `${item.id}~${Math.floor(i / source)}` };
    });
    const neighbours = demo.neighbours ? scaledNeighbours(demo.neighbours, source, items) : undefined;
    const files = await encodeArtifact({
      algorithm: demo.meta.algorithm,
      params,
      ...(neighbours ? { neighbours } : {}),
      warm: perItem(warm as Float32Array, 1, 0),
      logPop: perItem(logPop as Float32Array, 1, 0),
      featureNames: demo.meta.featureNames,
      catalog,
      steps: demo.meta.adaptation.steps,
      negativeWeight: demo.meta.adaptation.negativeWeight,
      training: { ...demo.meta.training, benchScaledFrom: demo.meta.version },
      data: demo.meta.data,
      validation: demo.meta.validation,
    });
    tf.dispose(Object.values(params));
    await mkdir(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  } finally {
    demo.dispose();
    await tf.setBackend(previous);
  }
}

/**
 * Each copy of an item keeps its neighbours among the same copy (or the
 * originals where that copy is cut short); in a catalog smaller than the
 * source, neighbours beyond it are dropped (lists stay packed: -1 ends them).
 */
function scaledNeighbours(source: Neighbours, sourceItems: number, items: number): Neighbours {
  const { m } = source;
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items; i++) {
    const from = (i % sourceItems) * m;
    const block = i - (i % sourceItems);
    let kept = 0;
    for (let s = 0; s < m; s++) {
      const j = source.ids[from + s]!;
      if (j < 0) break;
      const id = block + j < items ? block + j : j;
      if (id >= items) continue;
      ids[i * m + kept] = id;
      sims[i * m + kept++] = source.sims[from + s]!;
    }
  }
  return { m, ids, sims };
}
