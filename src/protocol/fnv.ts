const OFFSET_BASIS = 2166136261;
const PRIME = 16777619;
const encoder = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `s`, as an unsigned integer (protocol v1 splits and ordering). */
export function fnv1a32(s: string): number {
  const bytes = encoder.encode(s);
  let h = OFFSET_BASIS;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    // Math.imul keeps the product exact mod 2^32; plain * would lose low bits past 2^53.
    h = Math.imul(h, PRIME);
  }
  return h >>> 0;
}

/** The protocol's user bucket, 0..9: fnv1a32(user) % 10. */
export function userBucket(user: string): number {
  return fnv1a32(user) % 10;
}
