import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs both passes of vite.embed.config.ts (engine, then loader) into a new temp dir; returns the dir. */
export async function buildEmbed(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'localrec-embed-'));
  for (const mode of ['production', 'loader']) {
    await build({ root: ROOT, configFile: join(ROOT, 'vite.embed.config.ts'), mode, logLevel: 'warn', build: { outDir } });
  }
  return outDir;
}
