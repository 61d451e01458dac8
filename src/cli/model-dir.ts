// Writing an artifact directory: the served files at the top, the training output under training/.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Weight and catalog files a previous artifact (v2 shards, v1's two files) may have left (only these are ever removed). */
const SHARD = /^(weights|catalog)(-\d{3})?\.(bin|json)$/;

/** Folder of the training output inside an artifact directory: what retraining needs, never requested by the browser. */
export const TRAINING_DIR = 'training';

/**
 * Writes `files` into `out`, and `training` (if any) into `out/training/`.
 * Shards of an earlier artifact in `out` are removed first, so the directory
 * holds exactly what model.json lists. Returns the bytes written at the top.
 */
export async function writeArtifactDir(out: string, files: Readonly<Record<string, Uint8Array>>, training?: Readonly<Record<string, Uint8Array>>): Promise<number> {
  await mkdir(out, { recursive: true });
  for (const name of await readdir(out)) if (SHARD.test(name) && !(name in files)) await rm(join(out, name));
  let bytes = 0;
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(out, name), content);
    bytes += content.byteLength;
  }
  if (training) {
    await mkdir(join(out, TRAINING_DIR), { recursive: true });
    for (const [name, content] of Object.entries(training)) await writeFile(join(out, TRAINING_DIR, name), content);
  }
  return bytes;
}
