import type { BrowserContext } from 'playwright-core';
import { FIXTURE_PREFIX } from './artifact-route';

/** One thing wrong with how a file is served. */
export type Fault =
  /** Only the first half of the bytes arrive (a cut-short download the server reports as complete). */
  | { readonly kind: 'truncate'; readonly file: string }
  /** One byte flipped in the middle. */
  | { readonly kind: 'flip'; readonly file: string }
  /** The server answers with this HTTP status. */
  | { readonly kind: 'status'; readonly file: string; readonly status: number }
  /** The connection fails (server down or offline). */
  | { readonly kind: 'down'; readonly file: string };

export interface FaultyHost {
  /** The model.json URL path. */
  readonly modelUrl: string;
  /** From now on, serve these files, with these faults ('*' as a fault's file: every file). */
  serve(files: Record<string, Uint8Array>, ...faults: Fault[]): void;
  /** File names requested so far, in order. */
  readonly requested: string[];
}

/**
 * Serves an artifact at `${FIXTURE_PREFIX}/${name}/` to every page and worker
 * of the context, as `serve()` last said: tests swap versions and faults
 * between visits without re-routing.
 */
export async function faultyHost(context: BrowserContext, name: string): Promise<FaultyHost> {
  const prefix = `${FIXTURE_PREFIX}/${name}/`;
  let files: Record<string, Uint8Array> = {};
  let faults: Fault[] = [];
  const requested: string[] = [];
  await context.route(`**${prefix}*`, async (route) => {
    const file = new URL(route.request().url()).pathname.slice(prefix.length);
    requested.push(file);
    const fault = faults.find((f) => f.file === file || f.file === '*');
    if (fault?.kind === 'down') return route.abort('connectionrefused');
    if (fault?.kind === 'status') return route.fulfill({ status: fault.status, body: `fault: ${fault.status}` });
    const body = files[file];
    if (!body) return route.fulfill({ status: 404, body: `no fixture file ${file}` });
    let bytes = Buffer.from(body);
    if (fault?.kind === 'truncate') bytes = bytes.subarray(0, bytes.length >> 1);
    if (fault?.kind === 'flip') bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    return route.fulfill({ status: 200, body: bytes, contentType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
  });
  return {
    modelUrl: `${prefix}model.json`,
    requested,
    serve(next, ...nextFaults) {
      files = next;
      faults = nextFaults;
    },
  };
}
