import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/data/csv';

describe('parseCsv (RFC 4180)', () => {
  it('handles quoted commas, doubled quotes, CRLF and blank lines', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",3\r\n\r\n4,,"6"\r\n';
    expect(parseCsv(text, 't.csv')).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['x, y', 'say "hi"', '3'], line: 2 },
      { fields: ['4', '', '6'], line: 4 },
    ]);
  });

  it('keeps newlines inside quotes and reports the line a record starts on', () => {
    const records = parseCsv('id,note\n1,"two\r\nlines"\n2,end', 'n.csv');
    expect(records[1]).toEqual({ fields: ['1', 'two\r\nlines'], line: 2 });
    expect(records[2]).toEqual({ fields: ['2', 'end'], line: 4 });
  });

  it('keeps empty trailing fields and strips a BOM', () => {
    expect(parseCsv('\uFEFFa,b,\n', 'e.csv')).toEqual([{ fields: ['a', 'b', ''], line: 1 }]);
  });

  it('names the file and line of an unterminated quote', () => {
    expect(() => parseCsv('a\n1\n"open, never closed\n', 'bad.csv')).toThrow(
      `bad.csv line 3: expected a closing '"' for the quoted field opened here, got end of file`,
    );
  });

  it('rejects text glued after a closing quote', () => {
    expect(() => parseCsv('a,b\n"x"y,2\n', 'glue.csv')).toThrow(
      'glue.csv line 2: expected "," or a line end after a closing quote, got "y,2\\n"',
    );
  });
});
