// Artifacts that are wrong in one precise way, for the reliability tests: built
// with the real encoder, then edited (and re-hashed where the fault must get
// past the SHA-256 check). Needs an active tfjs backend in Node (cpu).
import { createHash } from 'node:crypto';
import { encodeArtifact, type CatalogItem } from '../../../src/artifact';
import { CONSTANT_FEATURE } from '../../../src/core/features';
import { disposeParams, initParams } from '../../../src/core/params';

export type Files = Record<string, Uint8Array>;

const TAGS = ['red', 'green', 'blue'];

/** A random artifact over `catalog` (ids, titles; tags default to one colour each). */
export async function artifactOf(
  catalog: readonly (Omit<CatalogItem, 'tags'> & { tags?: readonly string[] })[],
  options: { seed?: number; dim?: number; steps?: number; innerLr?: number } = {},
): Promise<Files> {
  const items = catalog.length;
  const dim = options.dim ?? 8;
  const featureNames = [CONSTANT_FEATURE, ...TAGS];
  const params = initParams({ items, features: featureNames.length, dim }, { seed: options.seed ?? 3, scale: 0.3, innerLr: options.innerLr ?? 0.5 });
  try {
    return await encodeArtifact({
      algorithm: 'maml',
      params,
      warm: new Float32Array(items).fill(1),
      logPop: Float32Array.from({ length: items }, (_, i) => Math.log1p(items - i)),
      featureNames,
      catalog: catalog.map((c, i) => ({ id: c.id, title: c.title, tags: c.tags ?? [TAGS[i % 3]!] })),
      steps: options.steps ?? 3,
      negativeWeight: 0.5,
      training: { fixture: true },
      data: { name: 'fixture', fingerprint: 'none', users: 0, items, interactions: 0 },
      validation: {},
    });
  } finally {
    disposeParams(params);
  }
}

/** Items `${prefix}${from}` … `${prefix}${to - 1}`, titled "Item …". */
export function items(prefix: string, from: number, to: number): { id: string; title: string }[] {
  return Array.from({ length: to - from }, (_, k) => ({ id: `${prefix}${from + k}`, title: `Item ${prefix}${from + k}` }));
}

type Json = { localrec: { version: string; shape: Record<string, number>; files: Record<string, { sha256: string; bytes: number }>; adaptation: Record<string, unknown> } } & Record<string, unknown>;

export function readModelJson(files: Files): Json {
  return JSON.parse(new TextDecoder().decode(files['model.json'])) as Json;
}

/** The files with model.json edited by `edit` (hashes untouched). */
export function editModelJson(files: Files, edit: (json: Json) => void): Files {
  const json = readModelJson(files);
  edit(json);
  return { ...files, 'model.json': new TextEncoder().encode(JSON.stringify(json)) };
}

/**
 * The files with some replaced and model.json's hashes and sizes recomputed:
 * an artifact that passes the SHA-256 check however wrong its content is.
 * `version` names it, so a browser that cached another version downloads it.
 */
export function rehashed(files: Files, replace: Files, version: string, edit: (json: Json) => void = () => {}): Files {
  const out: Files = { ...files, ...replace };
  return editModelJson(out, (json) => {
    edit(json);
    json.localrec.version = version;
    for (const name of Object.keys(json.localrec.files)) {
      const bytes = out[name]!;
      json.localrec.files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength };
    }
  });
}

/** catalog.json bytes for these items. */
export function catalogBytes(list: readonly { id: unknown; title?: unknown; tags?: unknown }[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ items: list }));
}
