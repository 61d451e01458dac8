export * from './format';
export { encodeArtifact, POPULARITY_WEIGHT, WARM_WEIGHT, type ArtifactInput } from './encode';
export { artifactFiles, checkModelJson, parseArtifact, verifyFiles, type Model } from './decode';
export { sha256Hex } from './sha256';
