import type { Interaction } from './dataset';

/**
 * Shared helpers for the pure file parsers: line iteration, decoding and
 * row errors that name the file, the 1-based line, what was expected and what
 * was found.
 */

/** Decodes ISO-8859-1 bytes (MovieLens titles: "é" is the single byte 0xE9). */
export function decodeLatin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

/** Decodes UTF-8 bytes, dropping a byte-order mark. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Calls `fn` for each non-blank line with its 1-based line number. Handles
 * LF and CRLF, a missing final newline and a leading byte-order mark; uses
 * indexOf rather than split so a million-row file makes no giant array.
 */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => void): void {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start) {
      const line = text.slice(start, stop);
      if (line.trim() !== '') fn(line, lineNo);
    }
    start = end + 1;
  }
}

/** Shows a found value in an error: quoted, shortened past 80 characters. */
export function quote(value: string): string {
  const short = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(short);
}

/** `ratings.dat line 17: expected <expected>, got <got>`. */
export function rowError(file: string, lineNo: number, expected: string, got: string): Error {
  return new Error(`${file} line ${lineNo}: expected ${expected}, got ${got}`);
}

/** Error for a row with the wrong number of fields. */
export function fieldCountError(
  file: string,
  lineNo: number,
  layout: string,
  wanted: number | string,
  line: string,
  found: number,
): Error {
  return rowError(
    file,
    lineNo,
    `"${layout}" (${wanted} fields)`,
    `${quote(line)} (${found} field${found === 1 ? '' : 's'})`,
  );
}

/** Cheap pre-check so the million-row hot path skips trim()'s allocation. */
function hasEdgeSpace(value: string): boolean {
  return value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32);
}

/** Parses a base-10 integer field strictly (no "", "1e3", "0x1F", "12abc"). */
export function parseIntField(value: string, file: string, lineNo: number, what: string): number {
  const text = hasEdgeSpace(value) ? value.trim() : value;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let ok = text.length > i;
  for (; ok && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) ok = false;
  }
  const n = ok ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw rowError(file, lineNo, `an integer ${what}`, quote(value));
  return n;
}

/** Parses a finite decimal number field (ratings such as "4" or "3.5"). */
export function parseNumberField(value: string, file: string, lineNo: number, what: string): number {
  const text = hasEdgeSpace(value) ? value.trim() : value;
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw rowError(file, lineNo, `a number ${what}`, quote(value));
  return n;
}

/** Checks an id field is non-empty and returns it exactly as in the file. */
export function idField(value: string, file: string, lineNo: number, what: string): string {
  if (value.length === 0 || (hasEdgeSpace(value) && value.trim() === '')) {
    throw rowError(file, lineNo, `a non-empty ${what}`, quote(value));
  }
  return value;
}

/**
 * Parses `user<sep>item<sep>rating<sep>timestamp` rows (both MovieLens
 * formats); `layout` names the expected row in errors, e.g. "user::item::rating::timestamp".
 */
export function parseRatingRows(text: string, file: string, separator: string, layout: string): Interaction[] {
  const out: Interaction[] = [];
  forEachLine(text, (line, lineNo) => {
    const f = line.split(separator);
    if (f.length !== 4) throw fieldCountError(file, lineNo, layout, 4, line, f.length);
    out.push({
      user: idField(f[0]!, file, lineNo, 'user id'),
      item: idField(f[1]!, file, lineNo, 'item id'),
      rating: parseNumberField(f[2]!, file, lineNo, 'rating'),
      timestamp: parseIntField(f[3]!, file, lineNo, 'timestamp (seconds)'),
    });
  });
  return out;
}

