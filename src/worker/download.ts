import type { LoadProgress } from './messages';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;
export type OnProgress = (event: LoadProgress) => void;

/** Downloads one file as bytes, reporting progress per chunk; throws naming the URL and status. */
export async function fetchBytes(url: string, file: string, onProgress: OnProgress, fetchImpl: Fetch = fetch): Promise<ArrayBuffer> {
  // no-cache: revalidate with the server so a new model version is seen, while
  // an unchanged file still comes from the HTTP cache (304).
  const response = await fetchImpl(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`Could not download ${url}: HTTP ${response.status} ${response.statusText}. Check modelUrl.`);
  const header = response.headers.get('content-length');
  const total = header === null ? null : Number(header);
  if (!response.body) {
    const bytes = await response.arrayBuffer();
    onProgress({ phase: 'download', file, loaded: bytes.byteLength, total: total ?? bytes.byteLength });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress({ phase: 'download', file, loaded: 0, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ phase: 'download', file, loaded, total });
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/** Resolves a file name relative to the URL of model.json (as tfjs does for weight shards). */
export function siblingUrl(modelUrl: string, name: string): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  return new URL(name, new URL(modelUrl, base)).href;
}

/** Downloads model.json and the named sibling files; returns all bytes by name, model.json included. */
export async function downloadFiles(
  modelUrl: string,
  modelJsonBytes: ArrayBuffer,
  names: readonly string[],
  onProgress: OnProgress,
  fetchImpl: Fetch = fetch,
): Promise<Record<string, ArrayBuffer>> {
  const files: Record<string, ArrayBuffer> = { 'model.json': modelJsonBytes };
  // One at a time: the shards are few and large, and order keeps progress readable.
  for (const name of names) files[name] = await fetchBytes(siblingUrl(modelUrl, name), name, onProgress, fetchImpl);
  return files;
}
