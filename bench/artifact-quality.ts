// Protocol v1 nDCG@10 of one trained model per fold, scored two ways: float32
// (the runtime's host path on the model as trained) and format v2 (encoded,
// decoded, scored by the int8 click path), plus v2 variants (fewer neighbours,
// other prior encodings). Trained models can be cached as v1 directories.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeArtifact, parseArtifact } from '../src/artifact';
import { decodeModelV2, type EncodeOptions } from '../src/artifact/v2';
import { v2FromV1 } from '../src/cli/v2-output';
import { adapt } from '../src/core/adapt';
import { initialState, scoreAll } from '../src/core/kernels';
import { disposeState } from '../src/core/state';
import { quantizedAdaptModel } from '../src/core/int8-model';
import { disposeParams } from '../src/core/params';
import { loadDataset, type DatasetFormat } from '../src/data/load';
import { runHarness } from '../src/eval/harness';
import { prepareData, PROTOCOL_DEFAULTS } from '../src/protocol/data';
import type { FoldData } from '../src/protocol/types';
import type { Method, Scorer } from '../src/eval/types';
import { chooseNeighbourCount } from '../src/train/neighbour-count';
import { DEFAULT_TRAIN_CONFIG } from '../src/train/config';
import { trainingDataFromFold } from '../src/train/dataset-split';
import { trainMeta } from '../src/train/trainer';
import { readV1Dir } from './artifact-sizes';

export interface QualityRow {
  dataset: string;
  k: number;
  float32: number;
  v2: number;
}

export interface VariantRow {
  dataset: string;
  k: number;
  variant: string;
  ndcg10: number;
  /** v2 variant ÷ float32 − 1. */
  relative: number;
}

/** A v2 variant: its name and how it is encoded (the shipped one is named "v2"); `chooseCount`: the neighbour count chosen on the fold's validation users, as `npm run train` does. */
export interface Variant {
  readonly name: string;
  readonly options: EncodeOptions;
  readonly chooseCount?: boolean;
}

/** The neighbour count `npm run train` would keep for this fold's model (train/neighbour-count.ts). */
async function validatedCount(files: Record<string, Uint8Array>, fold: FoldData, chosen: Record<string, unknown>): Promise<number | undefined> {
  const model = await parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])) as unknown, files);
  try {
    if (!model.neighbours) return undefined;
    const choice = await chooseNeighbourCount(model.params, model.inputs, fold.validation, { objective: 'v1', validationKs: PROTOCOL_DEFAULTS.ks }, model.meta.adaptation.steps, { neighbours: model.neighbours, transitions: model.transitions });
    chosen[String(fold.fold)] = choice;
    return choice.count;
  } finally {
    model.dispose();
  }
}

const NEGATIVE_WEIGHT = 0.5;

/** The fold's trained model as v1 files: from `cache` when there, else trained with the shipped configuration (and cached). */
async function trainedFiles(dataset: string, fold: FoldData, cache: string | undefined, log: (line: string) => void): Promise<Record<string, Uint8Array>> {
  const dir = cache ? join(cache, `${dataset}-fold${fold.fold}`) : undefined;
  if (dir && existsSync(join(dir, 'model.json'))) return readV1Dir(dir);
  const config = { ...DEFAULT_TRAIN_CONFIG, validationKs: PROTOCOL_DEFAULTS.ks };
  const model = await trainMeta(trainingDataFromFold(fold), config, (p) =>
    log(`${dataset} fold ${fold.fold}: iteration ${p.iteration}/${config.iterations}${p.validation === undefined ? '' : ` validation ${p.validation.toFixed(4)}`}`),
  );
  const files = await encodeArtifact({
    algorithm: config.algorithm,
    params: model.params,
    warm: model.warm,
    logPop: model.logPop,
    ...(model.neighbours ? { neighbours: model.neighbours } : {}),
    featureNames: model.featureNames,
    catalog: fold.catalog.map((id, i) => ({ id, title: fold.content[i]?.title ?? id, tags: fold.content[i]?.tags ?? [] })),
    steps: config.innerSteps,
    negativeWeight: NEGATIVE_WEIGHT,
    training: { ...config, start: model.start.chosen, fold: fold.fold },
    data: { name: dataset, fingerprint: '', users: fold.train.length, items: fold.catalog.length, interactions: 0 },
    validation: { ndcg10: model.validation.mean },
  });
  disposeParams(model.params);
  if (dir) {
    await mkdir(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  }
  return files;
}

/** The float32 model on the runtime's host path: start, the artifact's steps, every score. */
function floatScorer(files: Record<string, Uint8Array>): Promise<Scorer> {
  return parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])) as unknown, files).then((model) => ({
    async score(support) {
      const start = initialState(model, support, 'host');
      const feedback = { clicks: support, negatives: new Int32Array(0) };
      const out = await adapt(model, start, feedback, { steps: model.meta.adaptation.steps, negativeWeight: NEGATIVE_WEIGHT, kernel: 'host' });
      const values = await scoreAll(model.items, out.state, 'host');
      [start, out.state].forEach(disposeState);
      return values;
    },
    dispose: () => model.dispose(),
  }));
}

/** The v2 encoding of the same model, decoded and scored by the host kernel on its int8 table (its items found by id: v2 renumbers them). */
async function v2Scorer(files: Record<string, Uint8Array>, options: EncodeOptions, catalog: readonly string[]): Promise<Scorer> {
  const v2 = (await v2FromV1(files, options)).files;
  const decoded = await decodeModelV2(JSON.parse(new TextDecoder().decode(v2['model.json'])) as unknown, v2);
  const at = Int32Array.from(catalog, (id) => decoded.catalog.indexOf(id)!);
  const model = quantizedAdaptModel(decoded.model);
  const steps = decoded.meta.adaptation.steps;
  return {
    async score(support) {
      const clicks = Int32Array.from(support, (i) => at[i]!);
      const start = initialState(model, clicks);
      const out = await adapt(model, start, { clicks, negatives: new Int32Array(0) }, { steps, negativeWeight: NEGATIVE_WEIGHT });
      const scores = await scoreAll(model.items, out.state);
      [start, out.state].forEach(disposeState);
      return Float32Array.from(at, (j) => scores[j]!);
    },
    dispose: () => model.dispose(),
  };
}

/** nDCG@10 at every k of protocol v1 on `folds`, float32 against every v2 variant (the first is the shipped one). */
export async function measureQuality(
  format: DatasetFormat,
  dir: string,
  options: { folds: readonly number[]; variants: readonly Variant[]; cache?: string; log: (line: string) => void },
): Promise<{ quality: QualityRow[]; variants: VariantRow[]; users: number; timing: Record<string, unknown>; chosenCounts: Record<string, unknown> }> {
  const data = prepareData(await loadDataset(format, dir), PROTOCOL_DEFAULTS.threshold);
  const trained = new Map<number, Record<string, Uint8Array>>();
  const chosen: Record<string, unknown> = {};
  const filesOf = async (fold: FoldData) => {
    if (!trained.has(fold.fold)) {
      trained.clear(); // one fold at a time: the harness runs every method on a fold before the next
      trained.set(fold.fold, await trainedFiles(format, fold, options.cache, options.log));
    }
    return trained.get(fold.fold)!;
  };
  const methods: Method[] = [
    { name: 'float32', fit: async (fold) => floatScorer(await filesOf(fold)) },
    ...options.variants.map((v) => ({
      name: v.name,
      async fit(fold: FoldData) {
        const files = await filesOf(fold);
        const count = v.chooseCount ? await validatedCount(files, fold, chosen) : undefined;
        return v2Scorer(files, { ...v.options, ...(count ? { neighbourCount: count } : {}) }, fold.catalog);
      },
    })),
  ];
  const report = await runHarness(data, methods, { ks: PROTOCOL_DEFAULTS.ks, folds: options.folds, threshold: PROTOCOL_DEFAULTS.threshold, minPositives: PROTOCOL_DEFAULTS.minPositives, log: options.log });
  const cell = (method: string, k: number): { ndcg10: number; users: number } => report.methods[method]![String(k)] as { ndcg10: number; users: number };
  const quality = PROTOCOL_DEFAULTS.ks.map((k) => ({ dataset: format, k, float32: cell('float32', k).ndcg10, v2: cell(options.variants[0]!.name, k).ndcg10 }));
  const variants = options.variants.flatMap((v) =>
    PROTOCOL_DEFAULTS.ks.map((k) => ({ dataset: format, k, variant: v.name, ndcg10: cell(v.name, k).ndcg10, relative: cell(v.name, k).ndcg10 / cell('float32', k).ndcg10 - 1 })),
  );
  return { quality, variants, users: cell('float32', PROTOCOL_DEFAULTS.ks[0]).users, timing: { ...report.timing }, chosenCounts: chosen };
}
