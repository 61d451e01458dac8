import { describe, expect, it } from 'vitest';
import { fnv1a32, userBucket } from '../../../src/protocol/fnv';

describe('fnv1a32', () => {
  it('matches the protocol v1 test vectors', () => {
    expect(fnv1a32('')).toBe(2166136261);
    expect(fnv1a32('a')).toBe(3826002220);
    expect(fnv1a32('foobar')).toBe(3214735720);
    expect(fnv1a32('196')).toBe(4146191147);
    expect(fnv1a32('196:242')).toBe(208334149);
  });

  it('buckets a user by fnv1a32 % 10', () => {
    expect(userBucket('196')).toBe(7);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // "é" is two UTF-8 bytes (0xC3 0xA9): fold them by hand.
    let h = 2166136261;
    for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 16777619) >>> 0;
    expect(fnv1a32('é')).toBe(h);
  });
});
