import { artifactFiles, checkArtifact, checkModelJson, parseArtifact, type Model } from '../artifact';
import { checkModelJsonV2, decodeModelV2, filesV2, FORMAT_VERSION_2, type DecodedModelV2 } from '../artifact/v2';
import { ANY_BACKEND, type ModelBackends } from '../backend/select';
import { quantizedAdaptModel } from '../core/int8-model';
import { parseModelJson } from './artifact-cache';
import type { ModelLoader } from './engine';
import type { EngineModel } from './model';

/** Whether a model.json is format v2 (the finished int8 table); anything else is read as v1, whose checks name what is wrong. */
function isV2(json: unknown): boolean {
  return (json as { localrec?: { formatVersion?: unknown } } | null)?.localrec?.formatVersion === FORMAT_VERSION_2;
}

/**
 * An int8 table is scored where its codes are read directly: in host memory by
 * the WebAssembly kernel (wasm, cpu), or uploaded as is to the WGSL kernel
 * ("webgpu"); tfjs's webgl operations have no int8 path.
 */
const INT8_BACKENDS: ModelBackends = { only: ['webgpu', 'wasm', 'cpu'], why: 'its item table is int8 (model format v2), scored by the WGSL kernel or the WebAssembly one' };

/** The engine's view of a decoded artifact. */
export function engineModel(model: Model): EngineModel {
  const meta = model.meta;
  return {
    version: meta.version,
    algorithm: meta.algorithm,
    steps: meta.adaptation.steps,
    negativeWeight: meta.adaptation.negativeWeight,
    dim: meta.shape.dim,
    catalog: model.catalog,
    index: model.index,
    adaptModel: model,
    dispose: () => model.dispose(),
  };
}

/** The engine's view of a decoded v2 artifact: the int8 table kept as it is, scored by the host kernel. */
export function engineModelV2(decoded: DecodedModelV2): EngineModel {
  const { meta } = decoded;
  const model = quantizedAdaptModel(decoded.model);
  return {
    version: meta.version,
    algorithm: meta.algorithm,
    steps: meta.adaptation.steps,
    negativeWeight: meta.adaptation.negativeWeight,
    dim: meta.shape.dim,
    catalog: decoded.catalog,
    index: decoded.index,
    adaptModel: model,
    dispose: () => model.dispose(),
  };
}

/**
 * Reads, verifies and builds models of either format with the artifact module:
 * v1 (raw parameters, recombined into tensors on the active backend) as
 * returning visitors hold it in IndexedDB, and v2 (the finished int8 table).
 */
export const artifactLoader: ModelLoader = {
  version: (json) => (isV2(json) ? checkModelJsonV2(json).localrec.version : checkModelJson(json).localrec.version),
  files: (json) => (isV2(json) ? filesV2(json) : artifactFiles(json)),
  // More than the hashes: a correctly hashed artifact whose catalog does not fit
  // its weights must not replace the cached version it could never run as.
  async verify(json, files) {
    if (isV2(json)) await decodeModelV2(json, files);
    else await checkArtifact(json, files);
  },
  async build(files) {
    const json = modelJsonOf(files);
    if (isV2(json)) return engineModelV2(await decodeModelV2(json, files));
    return engineModel(await parseArtifact(json, files));
  },
  backends: (files) => (isV2(modelJsonOf(files)) ? INT8_BACKENDS : ANY_BACKEND),
};

function modelJsonOf(files: Record<string, ArrayBuffer>): unknown {
  const bytes = files['model.json'];
  if (!bytes) throw new Error('The cached artifact has no model.json: call forget() or clear site data, then reload.');
  return parseModelJson(bytes, 'model.json');
}
