// `npm run gen:log -- --items 100000 --interactions 10000000 --out <dir>` (a shop), or
// `npm run gen:books -- --out <dir>` (27k books tagged by author, publisher and decade):
// writes interactions.csv (user,item,timestamp) and items.csv (item,title,tags) for
// `npm run train -- --format csv --data <dir>`, streaming, with progress.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bookCatalog, logRows, shopCatalog, type LogCatalog } from '../data/synthetic-log';
import { createRng } from '../math/rng';
import { parseFlags, required } from './flags';
import { progressRenderer } from './progress';

const CATALOGS = ['shop', 'books'] as const;

const FLAGS = {
  catalog: { kind: 'string', example: 'shop', choices: CATALOGS },
  items: { kind: 'number', example: '100000', min: 10, max: 10_000_000, integer: true },
  interactions: { kind: 'number', example: '10000000', min: 1, max: 1_000_000_000, integer: true },
  'per-user': { kind: 'number', example: '25', min: 1, max: 100_000 },
  seed: { kind: 'number', example: '1', min: 0, max: 2 ** 31 - 1, integer: true },
  out: { kind: 'string', example: 'data/shop-10m' },
} as const;

/** Rows buffered per write: big enough to keep the stream busy, small enough to stay a few MB. */
const CHUNK = 20_000;

/** Writes `lines` to a new file through a stream, waiting whenever it asks to drain; renamed into place at the end. */
async function writeLines(path: string, header: string, lines: Iterable<string>, onRows?: (n: number) => void): Promise<void> {
  const partial = `${path}.partial`;
  const stream = createWriteStream(partial);
  const write = (text: string): Promise<void> => (stream.write(text) ? Promise.resolve() : new Promise((ok) => stream.once('drain', ok)));
  await write(`${header}\n`);
  let buffer: string[] = [];
  let rows = 0;
  for (const line of lines) {
    buffer.push(line);
    if (buffer.length < CHUNK) continue;
    await write(`${buffer.join('\n')}\n`);
    rows += buffer.length;
    onRows?.(rows);
    buffer = [];
  }
  if (buffer.length) await write(`${buffer.join('\n')}\n`);
  onRows?.(rows + buffer.length);
  await close(stream);
  await rename(partial, path);
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((ok, fail) => stream.end((err?: Error | null) => (err ? fail(err) : ok())));
}

/** A CSV field, quoted when it must be. */
function field(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2), FLAGS);
  const kind = (f.catalog ?? 'shop') as (typeof CATALOGS)[number];
  const out = resolve(required(f.out, 'out', FLAGS.out.example));
  const items = f.items ?? (kind === 'shop' ? 100_000 : 27_000);
  const interactions = f.interactions ?? 1_000_000;
  const seed = f.seed ?? 1;
  const progress = progressRenderer(process.stderr, { label: 'gen' });
  const rng = createRng(`${kind}:${seed}`);
  const catalog: LogCatalog = kind === 'shop' ? shopCatalog(items, rng.fork('catalog')) : bookCatalog(items, rng.fork('catalog'));
  await mkdir(out, { recursive: true });
  await writeLines(join(out, 'items.csv'), 'item,title,tags', catalog.items.map((it) => `${it.id},${field(it.title)},${field(it.tags.join('|'))}`));
  const tags = new Set(catalog.items.flatMap((it) => it.tags));
  progress.log(`${kind}: ${catalog.items.length} items, ${tags.size} distinct tags → ${join(out, 'items.csv')}`);
  progress.stage('interactions', interactions, 'rows');
  const rows = logRows(catalog, { interactions, perUser: f['per-user'] ?? (kind === 'shop' ? 25 : 60) }, rng.fork('log'));
  const lines = (function* () {
    for (const [user, item, time] of rows) yield `${user},${item},${time}`;
  })();
  await writeLines(join(out, 'interactions.csv'), 'user,item,timestamp', lines, (n) => progress.advance(n));
  progress.finish();
  progress.log(`${interactions} interactions → ${join(out, 'interactions.csv')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`gen-log: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
