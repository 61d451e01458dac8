export * from './format';
export { encodeArtifact, POPULARITY_WEIGHT, WARM_WEIGHT, type ArtifactInput } from './encode';
export { parseArtifact, type Model } from './decode';
export { artifactFiles, checkModelJson, MAX_ITEM_ID_LENGTH, MAX_STEPS } from './check';
export { checkArtifact, verifyFiles, type CheckedArtifact } from './validate';
export { sha256Hex } from './sha256';
export { arrayCatalog, catalogItems, type ItemCatalog } from './item-catalog';
