import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface DevServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the project's Vite dev server on a free port (root = project). */
export async function startDevServer(): Promise<DevServer> {
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: `${ROOT}/vite.config.ts`,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, open: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') {
    await server.close();
    throw new Error(`Vite dev server did not report a TCP address (got ${String(address)}).`);
  }
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
