import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one file is sent: in chunks with pauses, and optionally stopping early. */
export interface Trickle {
  readonly chunkBytes: number;
  /** Pause before each chunk, ms. */
  readonly delayMs: number;
  /** After this many bytes, send nothing more and keep the connection open (a stalled server). */
  readonly stallAfter?: number;
  /** After this many bytes, drop the connection (a broken one). */
  readonly cutAfter?: number;
}

export interface TrickleServer {
  readonly url: string;
  /** From now on, serve these files at /<name>, each sent as its trickle says (else all at once). */
  serve(files: Record<string, Uint8Array>, trickles?: Record<string, Trickle>): void;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real HTTP server on 127.0.0.1 for slow and broken networks, which request
 * routing cannot fake (it delivers a body at once). Sends the full
 * Content-Length up front, as a server does, and CORS headers (the page is on
 * the dev server's origin).
 */
export async function trickleServer(): Promise<TrickleServer> {
  let files: Record<string, Uint8Array> = {};
  let trickles: Record<string, Trickle> = {};
  const server = createServer(async (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const body = files[name];
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };
    if (!body) return void res.writeHead(404, headers).end(`no file ${name}`);
    res.writeHead(200, { ...headers, 'Content-Length': String(body.byteLength), 'Content-Type': 'application/octet-stream' });
    const plan = trickles[name];
    if (!plan) return void res.end(body);
    for (let at = 0; at < body.byteLength; at += plan.chunkBytes) {
      if (plan.stallAfter !== undefined && at >= plan.stallAfter) return; // never ends; close() drops it
      if (plan.cutAfter !== undefined && at >= plan.cutAfter) return void res.socket?.destroy();
      await pause(plan.delayMs);
      if (res.destroyed) return;
      res.write(body.subarray(at, at + plan.chunkBytes));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(next, nextTrickles = {}) {
      files = next;
      trickles = nextTrickles;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
