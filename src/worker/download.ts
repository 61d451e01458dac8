import type { LoadProgress } from './messages';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;
export type OnProgress = (event: LoadProgress) => void;

/** How long a download may go without receiving a byte before it fails, ms. */
export const DOWNLOAD_TIMEOUT_MS = 30_000;

const sizeText = (loaded: number, total: number | null) => `${loaded.toLocaleString('en-US')} of ${total === null ? 'unknown' : total.toLocaleString('en-US')} bytes received`;

/**
 * Downloads one file as bytes, reporting progress per chunk; throws naming the
 * URL and status. A download that receives nothing for `timeoutMs` fails: an
 * idle timeout, not a total one, so a large model on a slow but working
 * network still arrives.
 */
export async function fetchBytes(url: string, file: string, onProgress: OnProgress, fetchImpl: Fetch = fetch, timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<ArrayBuffer> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, timeoutMs);
  };
  let loaded = 0;
  let total: number | null = null;
  let response: Response;
  const failure = (error: unknown) =>
    stalled
      ? new Error(`Download of ${url} stalled: nothing arrived for ${timeoutMs} ms (${sizeText(loaded, total)}). The network or the server is too slow; it is retried on the next visit.`)
      : new Error(`Could not download ${url} (${sizeText(loaded, total)}): ${(error as Error).message}. Check the network connection and modelUrl.`);
  try {
    arm();
    // no-cache: revalidate with the server so a new model version is seen, while
    // an unchanged file still comes from the HTTP cache (304).
    response = await fetchImpl(url, { cache: 'no-cache', credentials: 'same-origin', signal: controller.signal });
  } catch (error) {
    clearTimeout(timer);
    throw failure(error);
  }
  if (!response.ok) {
    clearTimeout(timer);
    throw new Error(`Could not download ${url}: HTTP ${response.status} ${response.statusText}. Check modelUrl.`);
  }
  const header = response.headers.get('content-length');
  // A compressed response's length is not the length of the bytes we count.
  const encoding = response.headers.get('content-encoding');
  total = header === null || (encoding !== null && encoding !== 'identity') ? null : Number(header);
  const chunks: Uint8Array[] = [];
  try {
    if (!response.body) {
      const bytes = await response.arrayBuffer();
      onProgress({ phase: 'download', file, loaded: bytes.byteLength, total: total ?? bytes.byteLength });
      return bytes;
    }
    const reader = response.body.getReader();
    onProgress({ phase: 'download', file, loaded: 0, total });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arm();
      chunks.push(value);
      loaded += value.byteLength;
      onProgress({ phase: 'download', file, loaded, total });
    }
  } catch (error) {
    throw failure(error);
  } finally {
    clearTimeout(timer);
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
  timeoutMs = DOWNLOAD_TIMEOUT_MS,
): Promise<Record<string, ArrayBuffer>> {
  const files: Record<string, ArrayBuffer> = { 'model.json': modelJsonBytes };
  // One at a time: the shards are few and large, and order keeps progress readable.
  for (const name of names) files[name] = await fetchBytes(siblingUrl(modelUrl, name), name, onProgress, fetchImpl, timeoutMs);
  return files;
}
