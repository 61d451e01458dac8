/**
 * The artifact a website serves and the browser downloads: a directory with
 * `model.json` (tfjs weights-manifest format plus a `localrec` metadata block),
 * one binary weight shard and the catalog. Every file but model.json is listed
 * in the metadata with its SHA-256, so the runtime can refuse a tampered file.
 */

export const ARTIFACT_FORMAT = 'localrec-model' as const;
export const ARTIFACT_FORMAT_VERSION = 1 as const;
export const WEIGHTS_FILE = 'weights.bin';
export const CATALOG_FILE = 'catalog.json';

export interface CatalogItem {
  readonly id: string;
  readonly title: string;
  readonly tags: readonly string[];
}

export interface CatalogFile {
  readonly items: readonly CatalogItem[];
}

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

export interface FileEntry {
  readonly sha256: string;
  readonly bytes: number;
}

export interface ArtifactMeta {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly formatVersion: typeof ARTIFACT_FORMAT_VERSION;
  /** Changes whenever the weights or the catalog change: `<algorithm>-<hash prefix>`. */
  readonly version: string;
  readonly algorithm: string;
  /**
   * Sizes; `neighbours`: item-item neighbours kept per item (absent or 0: the
   * model has no item-item term), stored as weights `itemNeighbours` (indices,
   * as float32: exact below 2^24 items; -1 pads) and `itemNeighbourSims`.
   */
  readonly shape: {
    readonly items: number;
    readonly features: number;
    readonly dim: number;
    readonly neighbours?: number;
    /** Next-item transitions kept per item (absent or 0: no sequential term), weights `itemTransitions` and `itemTransitionWeights`, laid out like the neighbours. */
    readonly transitions?: number;
  };
  /** Content feature names, feature 0 being the constant one. */
  readonly featureNames: readonly string[];
  /** What the runtime must use: gradient steps per click and the weight of impressions. */
  readonly adaptation: {
    readonly steps: number;
    readonly negativeWeight: number;
    /** Learned per-step rates (informational: the runtime reads them from the weights). */
    readonly learningRates: { readonly user: readonly number[]; readonly pop: number };
    readonly protoScale: number;
  };
  readonly training: Readonly<Record<string, unknown>>;
  readonly data: {
    readonly name: string;
    /** SHA-256 of the canonical interaction rows the model was trained on. */
    readonly fingerprint: string;
    readonly users: number;
    readonly items: number;
    readonly interactions: number;
  };
  readonly validation: Readonly<Record<string, unknown>>;
  readonly files: Readonly<Record<string, FileEntry>>;
}

export interface ModelJson {
  readonly format: 'layers-model' | 'graph-model' | typeof ARTIFACT_FORMAT;
  readonly generatedBy: string;
  readonly modelTopology: null;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly WeightSpec[] }[];
  readonly localrec: ArtifactMeta;
}
