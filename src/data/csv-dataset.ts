/** The generic CSV format: `interactions.csv` plus optional `items.csv`, columns found by header name. */
import { csvRecords, type CsvRecord } from './csv';
import type { Dataset, Interaction, ItemContent } from './dataset';
import { fieldCountError, idField, parseIntField, parseNumberField, rowError, quote } from './text';

interface Table {
  /** The data rows, read as they are consumed; each is checked against the header's field count. */
  readonly rows: Iterable<CsvRecord>;
  /** Column index by lower-cased, trimmed header name (first occurrence wins). */
  readonly column: ReadonlyMap<string, number>;
}

function readTable(text: string, file: string, required: readonly string[], optional: readonly string[]): Table {
  const records = csvRecords(text, file);
  const head = records.next().value;
  const describe = `a header naming ${required.map((c) => `"${c}"`).join(' and ')}` +
    (optional.length ? ` (optionally ${optional.map((c) => `"${c}"`).join(', ')})` : '');
  if (head === undefined) throw new Error(`${file} is empty: expected ${describe}`);
  const column = new Map<string, number>();
  head.fields.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!column.has(key)) column.set(key, i);
  });
  const missing = required.filter((c) => !column.has(c));
  if (missing.length > 0) {
    throw rowError(file, head.line, `${describe}; missing ${missing.map((c) => `"${c}"`).join(', ')}`, quote(head.fields.join(',')));
  }
  function* rows(): Generator<CsvRecord, void, undefined> {
    for (const row of records) {
      if (row.fields.length !== head!.fields.length) {
        throw fieldCountError(file, row.line, head!.fields.join(','), head!.fields.length, row.fields.join(','), row.fields.length);
      }
      yield row;
    }
  }
  return { rows: rows(), column };
}

/** One string per distinct id: a log repeats each user and item id many times, and each slice would be its own object. */
function interner(): (id: string) => string {
  const seen = new Map<string, string>();
  return (id) => {
    const known = seen.get(id);
    if (known !== undefined) return known;
    // A copy, so the kept id does not pin the whole file's text.
    const own = (' ' + id).slice(1);
    seen.set(own, own);
    return own;
  };
}

/** Parses `interactions.csv`: columns user, item and optional timestamp (integer seconds), rating. */
export function parseCsvInteractions(
  text: string,
  file = 'interactions.csv',
): { interactions: Interaction[]; hasTimestamps: boolean; hasRatings: boolean } {
  const { rows, column } = readTable(text, file, ['user', 'item'], ['timestamp', 'rating']);
  const u = column.get('user')!;
  const it = column.get('item')!;
  const ts = column.get('timestamp');
  const r = column.get('rating');
  const id = interner();
  const interactions: Interaction[] = [];
  for (const { fields, line } of rows) {
    const row: { user: string; item: string; timestamp?: number; rating?: number } = {
      user: id(idField(fields[u]!, file, line, 'user id')),
      item: id(idField(fields[it]!, file, line, 'item id')),
    };
    if (ts !== undefined) row.timestamp = parseIntField(fields[ts]!, file, line, 'timestamp (seconds)');
    if (r !== undefined) row.rating = parseNumberField(fields[r]!, file, line, 'rating');
    interactions.push(row);
  }
  return { interactions, hasTimestamps: ts !== undefined, hasRatings: r !== undefined };
}

/** Parses `items.csv`: column item, optional title (defaults to the id), tags ("|"-separated), url and image. */
export function parseCsvItems(text: string, file = 'items.csv'): ItemContent[] {
  const { rows, column } = readTable(text, file, ['item'], ['title', 'tags', 'url', 'image']);
  const id = column.get('item')!;
  const title = column.get('title');
  const tags = column.get('tags');
  const [url, image] = [column.get('url'), column.get('image')];
  return Array.from(rows, ({ fields, line }) => {
    const itemId = idField(fields[id]!, file, line, 'item id');
    const link = (col: number | undefined) => (col === undefined ? '' : fields[col]!.trim());
    return {
      id: itemId,
      title: title === undefined ? itemId : fields[title]!,
      tags: tags === undefined ? [] : fields[tags]!.split('|').map((t) => t.trim()).filter((t) => t !== ''),
      ...(link(url) ? { url: link(url) } : {}),
      ...(link(image) ? { image: link(image) } : {}),
    };
  });
}

/** File contents for the generic CSV format. */
export interface CsvFiles {
  readonly interactions: string;
  readonly items?: string;
}

/** Builds a dataset (default name "csv") from `interactions.csv` and optional `items.csv` contents. */
export function parseCsvDataset(files: CsvFiles, name = 'csv'): Dataset {
  const { interactions, hasTimestamps, hasRatings } = parseCsvInteractions(files.interactions);
  const items = files.items === undefined ? [] : parseCsvItems(files.items);
  return { name, interactions, items, hasRatings, hasTimestamps };
}
