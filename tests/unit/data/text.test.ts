import { describe, expect, it } from 'vitest';
import { decodeLatin1, forEachLine, parseIntField, parseNumberField } from '../../../src/data/text';

describe('forEachLine', () => {
  it('numbers lines from 1 across LF, CRLF, blanks, a BOM and no final newline', () => {
    const seen: [string, number][] = [];
    forEachLine('\uFEFFa\r\nb\n\n  \r\nc', (line, n) => seen.push([line, n]));
    expect(seen).toEqual([['a', 1], ['b', 2], ['c', 5]]);
  });
});

describe('field parsers', () => {
  it('accept plain integers and numbers', () => {
    expect(parseIntField('881250949', 'f', 1, 'timestamp')).toBe(881250949);
    expect(parseIntField('-3', 'f', 1, 'x')).toBe(-3);
    expect(parseNumberField('3.5', 'f', 1, 'rating')).toBe(3.5);
  });

  it('reject anything else, naming file, line, expectation and value', () => {
    expect(() => parseIntField('12abc', 'u.data', 4, 'timestamp')).toThrow('u.data line 4: expected an integer timestamp, got "12abc"');
    for (const bad of ['', '1e3', '0x1F', '1.5', '-']) expect(() => parseIntField(bad, 'f', 1, 'x')).toThrow(/expected an integer x/);
    expect(() => parseNumberField('', 'r.csv', 2, 'rating')).toThrow('r.csv line 2: expected a number rating, got ""');
  });
});

describe('decodeLatin1', () => {
  it('maps single bytes to code points (0xE9 is "é")', () => {
    expect(decodeLatin1(new Uint8Array([0x43, 0x61, 0x66, 0xe9]))).toBe('Café');
  });
});
