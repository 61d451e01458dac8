/** An RFC 4180 CSV reader: quoted fields with commas, newlines and doubled quotes; LF or CRLF. */
import { quote } from './text';

/** One record and the 1-based line it starts on (quoted newlines make these differ from indexes). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Splits CSV text into records; blank lines are skipped; `file` names the source in errors. */
export function parseCsv(text: string, file: string): CsvRecord[] {
  return Array.from(csvRecords(text, file));
}

/**
 * The records of CSV text one at a time, as parseCsv returns them: a 10M-row log
 * is read without holding 10M records (their field arrays cost ~5× the rows they
 * become, and did not fit a default Node heap).
 */
export function* csvRecords(text: string, file: string): Generator<CsvRecord, void, undefined> {
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < n) {
    const startLine = line;
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      if (text.charCodeAt(pos) === 34 /* " */) {
        // Quoted field: jump from quote to quote; "" is an escaped quote.
        let value = '';
        let from = pos + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            throw new Error(`${file} line ${line}: expected a closing '"' for the quoted field opened here, got end of file`);
          }
          const chunk = text.slice(from, close);
          value += chunk;
          for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) line++;
          if (text.charCodeAt(close + 1) === 34) {
            value += '"';
            from = close + 2;
          } else {
            pos = close + 1;
            break;
          }
        }
        fields.push(value);
      } else {
        let end = pos;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === 44 /* , */ || c === 10 /* \n */) break;
          if (c === 13 && text.charCodeAt(end + 1) === 10) break;
          end++;
        }
        fields.push(text.slice(pos, end));
        pos = end;
      }
      // After a field: a comma, a line end or the end of the text.
      const c = text.charCodeAt(pos);
      if (pos >= n) endOfRecord = true;
      else if (c === 44) pos++;
      else if (c === 10) { pos++; line++; endOfRecord = true; }
      else if (c === 13 && text.charCodeAt(pos + 1) === 10) { pos += 2; line++; endOfRecord = true; }
      else {
        throw new Error(
          `${file} line ${line}: expected "," or a line end after a closing quote, got ${quote(text.slice(pos, pos + 10))}` +
            ' (a quote inside a quoted field must be doubled: "")',
        );
      }
    }
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    if (!blank) yield { fields, line: startLine };
  }
}
