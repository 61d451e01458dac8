/**
 * The weight stream of format v2: every section's arrays one after the other
 * (each starting at a multiple of 4 bytes), cut into shards of at most
 * MAX_SHARD_BYTES. Reading copies a span out of the shards into its own
 * array, so the shards can be dropped once the sections are decoded.
 */

import type { Span } from './format';

/** Appends arrays to the stream and says where each went. */
export class StreamWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** Appends the bytes of `array` (any typed array) at the next multiple of 4. */
  add(array: ArrayBufferView): Span {
    const pad = (4 - (this.length % 4)) % 4;
    if (pad > 0) this.push(new Uint8Array(pad));
    const span = { offset: this.length, bytes: array.byteLength };
    this.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return span;
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.byteLength;
  }

  /** The stream cut into shards of at most `maxBytes` (the last one shorter). */
  shards(maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let shard = new Uint8Array(Math.min(maxBytes, this.length));
    let filled = 0;
    let emitted = 0;
    for (const part of this.parts) {
      let from = 0;
      while (from < part.byteLength) {
        const take = Math.min(part.byteLength - from, shard.byteLength - filled);
        shard.set(part.subarray(from, from + take), filled);
        filled += take;
        from += take;
        if (filled === shard.byteLength) {
          out.push(shard);
          emitted += shard.byteLength;
          shard = new Uint8Array(Math.min(maxBytes, this.length - emitted));
          filled = 0;
        }
      }
    }
    return out;
  }
}

/** Reads spans of a stream held as consecutive shards. */
export class StreamReader {
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(private readonly shards: readonly Uint8Array[]) {
    let at = 0;
    for (const s of shards) {
      this.starts.push(at);
      at += s.byteLength;
    }
    this.length = at;
  }

  /** Copies the span's bytes into `into` (whose byteLength must equal span.bytes). */
  read(span: Span, into: ArrayBufferView): void {
    const out = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    if (out.byteLength !== span.bytes) throw new Error(`StreamReader: a span of ${span.bytes} bytes read into ${out.byteLength}.`);
    let written = 0;
    for (let s = 0; s < this.shards.length && written < span.bytes; s++) {
      const start = this.starts[s]!;
      const shard = this.shards[s]!;
      const from = span.offset + written - start;
      if (from < 0 || from >= shard.byteLength) continue;
      const take = Math.min(shard.byteLength - from, span.bytes - written);
      out.set(shard.subarray(from, from + take), written);
      written += take;
    }
  }
}

/** Shard file names in order: weights-000.bin, weights-001.bin, ... */
export function shardName(prefix: string, index: number, extension: string): string {
  return `${prefix}-${String(index).padStart(3, '0')}.${extension}`;
}
