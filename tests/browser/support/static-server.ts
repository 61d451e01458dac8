import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
};

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Request body size, bytes. */
  readonly bodyBytes: number;
}

export interface StaticServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on 127.0.0.1 at a free port, logging every
 * request; `cors` adds `Access-Control-Allow-Origin: *` (a CDN's setup), and
 * `mounts` serves URL prefixes (e.g. '/embed/') from other dirs.
 */
export async function serveStatic(root: string, options: { cors?: boolean; mounts?: Record<string, string> } = {}): Promise<StaticServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.byteLength));
    req.on('end', async () => {
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '?', url, bodyBytes });
      const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
      if (options.cors) headers['Access-Control-Allow-Origin'] = '*';
      const path = normalize(decodeURIComponent(new URL(url, 'http://x').pathname));
      if (path.includes('..')) return void res.writeHead(400, headers).end('bad path');
      try {
        const mount = Object.entries(options.mounts ?? {}).find(([prefix]) => path.startsWith(prefix));
        const body = await readFile(mount ? join(mount[1], path.slice(mount[0].length)) : join(root, path));
        res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404, headers).end(`no file ${path}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
