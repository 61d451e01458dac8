import { arrayCatalog, artifactFiles, checkArtifact, checkModelJson, parseArtifact, type Model } from '../artifact';
import { checkModelJsonV2, decodeModelV2, filesV2, FORMAT_VERSION_2, type DecodedModelV2 } from '../artifact/v2';
import { ANY_BACKEND, type ModelBackends } from '../backend/select';
import { quantizedAdaptModel, quantizedItemTable } from '../core/int8-model';
import { parseModelJson } from './artifact-cache';
import { sweepThreads } from './sweep-threads';
import type { ModelLoader, PreparedModel } from './engine';
import type { EngineModel } from './model';

/** Whether a model.json is format v2 (the finished int8 table); anything else is read as v1, whose checks name what is wrong. */
function isV2(json: unknown): boolean {
  return (json as { localrec?: { formatVersion?: unknown } } | null)?.localrec?.formatVersion === FORMAT_VERSION_2;
}

/**
 * An int8 table is scored where its codes are read directly: in host memory by
 * the WebAssembly kernel (wasm, cpu), or uploaded as is to the WGSL kernel
 * ("webgpu"); tfjs's webgl operations have no int8 path. On wasm and cpu the
 * same host kernel runs the clicks (tfjs holds only the few per-visitor
 * parameters), so `auto` tries cpu and the WGSL kernel and never starts tfjs's
 * wasm backend, whose heap (16 MB at least) would buy nothing.
 */
const INT8_BACKENDS: ModelBackends = {
  only: ['webgpu', 'wasm', 'cpu'],
  auto: ['cpu', 'webgpu'],
  why: 'its item table is int8 (model format v2), scored by the WGSL kernel or the WebAssembly one',
};

/** What the engine reads of either format's metadata: the version, the algorithm and how a click adapts. */
function modelHeader(meta: { readonly version: string; readonly algorithm: string; readonly adaptation: { readonly steps: number; readonly negativeWeight: number }; readonly shape: { readonly dim: number } }): Pick<EngineModel, 'version' | 'algorithm' | 'steps' | 'negativeWeight' | 'dim'> {
  return { version: meta.version, algorithm: meta.algorithm, steps: meta.adaptation.steps, negativeWeight: meta.adaptation.negativeWeight, dim: meta.shape.dim };
}

/** The engine's view of a decoded v1 artifact. */
export function engineModel(model: Model): EngineModel {
  return {
    ...modelHeader(model.meta),
    catalog: arrayCatalog(model.catalog, model.index),
    adaptModel: model,
    dispose: () => model.dispose(),
  };
}

/**
 * A decoded v2 artifact made ready once for every backend: the int8 table
 * handed to the host kernel (its WebAssembly memory then holds the only copy
 * of the item vectors and the prior), the lists and the packed catalog kept as
 * decoded. Only the per-visitor parameters are tensors, built per backend.
 * Nothing here holds the shard bytes of the weights or `decoded` itself.
 * On a cross-origin-isolated page the sweeps are shared with helper threads
 * (sweep-threads.ts), stopped when the model is.
 */
export function preparedV2(decoded: DecodedModelV2): PreparedModel {
  const { meta, catalog } = decoded;
  const { user, neighbours, transitions } = decoded.model;
  const items = quantizedItemTable(decoded.model.items, { helpers: sweepThreads() });
  return {
    backends: INT8_BACKENDS,
    dispose: () => items.kernel.dispose(),
    async build() {
      const model = quantizedAdaptModel({ items, user, ...(neighbours ? { neighbours } : {}), ...(transitions ? { transitions } : {}) });
      return {
        ...modelHeader(meta),
        catalog,
        adaptModel: model,
        dispose: () => model.dispose(),
      };
    },
  };
}

/** A v1 model: rebuilt from its bytes on each backend (its tensors cannot move), hashed once. */
function preparedV1(json: unknown, files: Record<string, ArrayBuffer>, verified: boolean): PreparedModel {
  let hashes = !verified;
  return {
    backends: ANY_BACKEND,
    async build() {
      const model = engineModel(await parseArtifact(json, files, { hashes }));
      hashes = false;
      return model;
    },
  };
}

// The decode verify() did for a download, handed on to prepare() for the same files (decoded once).
const verifiedV2 = new WeakMap<object, DecodedModelV2>();

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
    if (isV2(json)) verifiedV2.set(files, await decodeModelV2(json, files));
    else await checkArtifact(json, files);
  },
  async prepare(files, verified) {
    const json = modelJsonOf(files);
    if (!isV2(json)) return preparedV1(json, files, verified);
    const decoded = verifiedV2.get(files) ?? (await decodeModelV2(json, files, { hashes: !verified }));
    verifiedV2.delete(files);
    return preparedV2(decoded);
  },
};

function modelJsonOf(files: Record<string, ArrayBuffer>): unknown {
  const bytes = files['model.json'];
  if (!bytes) throw new Error('The cached artifact has no model.json: call forget() or clear site data, then reload.');
  return parseModelJson(bytes, 'model.json');
}
