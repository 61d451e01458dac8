import { artifactFiles, checkArtifact, checkModelJson, parseArtifact, type Model } from '../artifact';
import { parseModelJson } from './artifact-cache';
import type { ModelLoader } from './engine';
import type { EngineModel } from './model';

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

/** Reads, verifies and builds models with the artifact module (on the active tfjs backend). */
export const artifactLoader: ModelLoader = {
  version: (json) => checkModelJson(json).localrec.version,
  files: (json) => artifactFiles(json),
  // More than the hashes: a correctly hashed artifact whose catalog does not fit
  // its weights must not replace the cached version it could never run as.
  async verify(json, files) {
    await checkArtifact(json, files);
  },
  async build(files) {
    const bytes = files['model.json'];
    if (!bytes) throw new Error('The cached artifact has no model.json: call forget() or clear site data, then reload.');
    return engineModel(await parseArtifact(parseModelJson(bytes, 'model.json'), files));
  },
};
