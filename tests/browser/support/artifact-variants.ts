// Artifacts that are wrong in one precise way, for the reliability tests: built
// with the real encoder, then edited (and re-hashed where the fault must get
// past the SHA-256 check). Needs an active tfjs backend in Node (cpu).
import { createHash } from 'node:crypto';
import { artifactOf } from '../../unit/worker/fixtures/tiny-artifact';

export type Files = Record<string, Uint8Array>;

export { artifactOf };

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
