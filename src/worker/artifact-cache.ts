import type { RememberedBackend } from '../storage/schema';
import type { Store } from '../storage/types';
import { downloadFiles, fetchBytes, type Fetch, type OnProgress } from './download';
import type { StartupPhase } from './startup';

/** What the cache needs from the artifact format: the version, the files to fetch, and their verification. */
export interface ManifestReader {
  version(modelJson: unknown): string;
  /** Files to download besides model.json, relative to it. */
  files(modelJson: unknown): readonly string[];
  /**
   * Throws an Error naming the problem unless every listed file matches its
   * SHA-256 and the files make a model that fits together (what is cached must run).
   */
  verify(modelJson: unknown, files: Readonly<Record<string, ArrayBuffer>>): Promise<void>;
}

export interface LoadedArtifact {
  readonly version: string;
  /** All files by relative name, model.json included. */
  readonly files: Record<string, ArrayBuffer>;
  readonly fromCache: boolean;
  /**
   * True when every file's SHA-256 has been checked by this runtime: just now
   * (a download), or before the cached copy was stored. A copy stored by an
   * older runtime is hashed again when it is built.
   */
  readonly verified: boolean;
  /** The backend `auto` chose for this version on this device before (cached versions only). */
  readonly backend?: RememberedBackend;
  /** Set when a newer download failed and the cached version was used instead. */
  readonly warning?: string;
}

/** Parses downloaded model.json bytes, naming the URL when they are not JSON. */
export function parseModelJson(bytes: ArrayBuffer, modelUrl: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${modelUrl} is not JSON (${(error as Error).message}): modelUrl must point at an artifact's model.json.`);
  }
}

/**
 * The artifact to run: the network's model.json decides the version; an
 * unchanged version comes from the IndexedDB cache without downloading shards;
 * a new one is downloaded, verified, and only then replaces the cached one.
 * Offline (or on a failed/tampered download) a cached version is used.
 */
export async function loadArtifact(
  store: Store,
  modelUrl: string,
  reader: ManifestReader,
  onProgress: OnProgress,
  fetchImpl?: Fetch,
  timeoutMs?: number,
  lap: (phase: StartupPhase) => void = () => {},
): Promise<LoadedArtifact> {
  const stored = await store.currentArtifact();
  const cached = stored && { version: stored.version, files: stored.files, verified: stored.verified === true, ...(stored.backend ? { backend: stored.backend } : {}) };
  lap('cacheRead');
  if (cached) onProgress({ phase: 'cache', file: '', loaded: 1, total: 1 });
  let manifestBytes: ArrayBuffer;
  try {
    manifestBytes = await fetchBytes(modelUrl, 'model.json', onProgress, fetchImpl, timeoutMs);
    lap('manifest');
  } catch (error) {
    if (cached) return { ...cached, fromCache: true, warning: `Using cached model ${cached.version}: ${(error as Error).message}` };
    throw new Error(`${(error as Error).message} No model is cached on this device yet, so the recommender cannot start offline.`);
  }
  try {
    const json = parseModelJson(manifestBytes, modelUrl);
    const version = reader.version(json);
    if (cached?.version === version) return { ...cached, fromCache: true };
    const names = reader.files(json);
    const files = await downloadFiles(modelUrl, manifestBytes, names, onProgress, fetchImpl, timeoutMs);
    lap('download');
    onProgress({ phase: 'verify', file: '', loaded: 0, total: names.length });
    await reader.verify(json, files);
    lap('verify');
    await store.putArtifact(version, files);
    lap('store');
    onProgress({ phase: 'stored', file: '', loaded: 1, total: 1 });
    return { version, files, fromCache: false, verified: true };
  } catch (error) {
    if (cached) return { ...cached, fromCache: true, warning: `Kept cached model ${cached.version}: ${(error as Error).message}` };
    throw error;
  }
}
