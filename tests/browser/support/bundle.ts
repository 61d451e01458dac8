import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { DevServer } from './server';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Production-builds pages/bundle.html into a temp dir and serves it with `vite preview` on a free port. */
export async function buildAndPreview(): Promise<DevServer & { outDir: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'localrec-bundle-'));
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(ROOT, 'tests/browser/pages/bundle.html') } },
  });
  const server = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error(`vite preview did not report a TCP address (got ${String(address)}).`);
  return {
    url: `http://127.0.0.1:${address.port}`,
    outDir,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
