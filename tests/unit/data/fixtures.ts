import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes files (strings as UTF-8, Buffers as raw bytes) to a fresh temp dir, removed after the test. */
export function writeFixture(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-data-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Encodes text as ISO-8859-1 bytes, the way MovieLens ships titles ("é" → 0xE9). */
export function latin1(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}
