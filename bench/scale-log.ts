// `npm run bench:scale-log -- --interactions 10000000 --items 100000 --out bench/data/scale-10m`
// A synthetic shop log at any scale, in the generic csv format (`--format csv`):
// interactions.csv (user,item,timestamp) and items.csv (item,title,tags). Items sit
// in genres with Zipf popularity; a visitor keeps to two favourite genres, a third
// of the clicks follow the previous click's usual successor (so there are item-item
// neighbours and next-item transitions to learn), and the rest are discoveries that
// walk the whole catalog in a random order (every item is clicked once the log has
// more discoveries than items: 15% of 1M interactions cover 100k items). Deterministic per --seed;
// streamed to disk (memory O(items + users), not O(interactions)), with progress.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../src/cli/flags';
import { createRng, type Rng } from '../src/math/rng';

const flags = parseFlags(process.argv.slice(2), {
  interactions: { kind: 'number', example: '10000000', min: 1000, max: 1e9, integer: true },
  items: { kind: 'number', example: '100000', min: 100, max: 1e7, integer: true },
  users: { kind: 'number', example: '200000', min: 10, max: 1e8, integer: true },
  seed: { kind: 'number', example: '1', min: 0, max: 2 ** 31 - 1, integer: true },
  out: { kind: 'string', example: 'bench/data/scale-10m' },
});
const interactions = flags.interactions ?? 1_000_000;
const items = flags.items ?? 100_000;
/** 50 clicks per visitor on average: long enough for every shot count of the protocol. */
const users = flags.users ?? Math.max(10, Math.round(interactions / 50));
const seed = flags.seed ?? 1;
const out = resolve(flags.out ?? `bench/data/scale-${interactions}`);

const GENRE_SIZE = 500;
const STYLE_TAGS = 2000;
const FOLLOW = 0.35; // a click follows the previous click's usual successor
const FAVOURITE = 0.5; // else from the visitor's two favourite genres (or, the rest, a discovery)

/** Draws an index with probability ∝ weights (cumulative sums, binary search). */
function sampler(weights: Float64Array): (rng: Rng) => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => (cumulative[i] = total += w));
  return (rng) => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Buffered text output with backpressure. */
class Lines {
  private chunk: string[] = [];
  private size = 0;
  constructor(private readonly stream: WriteStream) {}
  async write(line: string): Promise<void> {
    this.chunk.push(line);
    this.size += line.length;
    if (this.size < 1 << 20) return;
    await this.flush();
  }
  async flush(): Promise<void> {
    const text = this.chunk.join('');
    this.chunk = [];
    this.size = 0;
    if (!this.stream.write(text)) await new Promise<void>((done) => this.stream.once('drain', () => done()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((done) => this.stream.end(done));
  }
}

function progress(label: string, done: number, total: number, started: number): void {
  const rate = done / Math.max((performance.now() - started) / 1000, 1e-9);
  const eta = (total - done) / Math.max(rate, 1e-9);
  const text = `${label} ${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')}/s  ETA ${Math.round(eta)} s`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const rng = createRng(`scale-log:${seed}`);
  const genres = Math.max(2, Math.round(items / GENRE_SIZE));
  const genreOf = Int32Array.from({ length: items }, () => rng.int(genres));
  const members: number[][] = Array.from({ length: genres }, () => []);
  genreOf.forEach((g, i) => members[g]!.push(i));
  // Zipf popularity over a random ranking of the items
  const rank = rng.shuffle(Array.from({ length: items }, (_, i) => i));
  const popularity = new Float64Array(items);
  rank.forEach((item, r) => (popularity[item] = 1 / (r + 1) ** 0.9));
  const discoveries = rng.shuffle(Array.from({ length: items }, (_, i) => i));
  let discovered = 0;
  const discover = (): number => discoveries[discovered++ % items]!;
  const inGenre = members.map((m) => {
    const draw = sampler(Float64Array.from(m, (i) => popularity[i]!));
    return (r: Rng) => m[draw(r)]!;
  });
  // every item's usual successor: a random popular item of its genre
  const successor = Int32Array.from({ length: items }, (_, i) => inGenre[genreOf[i]!]!(rng));

  const catalog = new Lines(createWriteStream(join(out, 'items.csv')));
  await catalog.write('item,title,tags\n');
  const styleOf = sampler(Float64Array.from({ length: STYLE_TAGS }, (_, s) => 1 / (s + 1)));
  for (let i = 0; i < items; i++) {
    const tags = [`genre-${genreOf[i]}`, `style-${styleOf(rng)}`, `decade-${1950 + 10 * rng.int(8)}`];
    await catalog.write(`i${i},Item ${i},${tags.join('|')}\n`);
  }
  await catalog.close();

  // history lengths: log-normal around the mean, at least 3, summing to `interactions`
  const raw = Float64Array.from({ length: users }, () => Math.exp(0.9 * rng.normal()));
  const scale = interactions / raw.reduce((a, b) => a + b, 0);
  const lengths = Int32Array.from(raw, (r) => Math.max(3, Math.round(r * scale)));
  let excess = lengths.reduce((a, b) => a + b, 0) - interactions;
  for (let u = 0; excess !== 0; u = (u + 1) % users) {
    if (excess > 0 && lengths[u]! > 3) [lengths[u], excess] = [lengths[u]! - 1, excess - 1];
    else if (excess < 0) [lengths[u], excess] = [lengths[u]! + 1, excess + 1];
  }

  const log = new Lines(createWriteStream(join(out, 'interactions.csv')));
  await log.write('user,item,timestamp\n');
  const started = performance.now();
  let written = 0;
  let shown = started;
  for (let u = 0; u < users; u++) {
    const favourites = [rng.int(genres), rng.int(genres)];
    let t = 1_600_000_000 + rng.int(30_000_000);
    let previous = -1;
    for (let c = 0; c < lengths[u]!; c++) {
      const x = rng.next();
      const item = previous >= 0 && x < FOLLOW ? successor[previous]! : x < FOLLOW + FAVOURITE ? inGenre[favourites[rng.int(2)]!]!(rng) : discover();
      t += 30 + rng.int(3600);
      await log.write(`u${u},i${item},${t}\n`);
      previous = item;
      written++;
    }
    if (performance.now() - shown > 1000) {
      progress('interactions', written, interactions, started);
      shown = performance.now();
    }
  }
  await log.close();
  progress('interactions', written, interactions, started);
  process.stderr.write(`\n[scale-log] ${out}: ${written.toLocaleString('en')} interactions of ${users.toLocaleString('en')} users over ${items.toLocaleString('en')} items (${genres} genres)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`scale-log: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
