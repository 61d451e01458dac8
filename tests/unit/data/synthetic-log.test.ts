// The scale benchmark's logs (npm run gen:log): their shape, and that what the
// command writes is what `npm run train -- --format csv` reads.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { bookCatalog, logRows, shopCatalog } from '../../../src/data/synthetic-log';
import { createRng } from '../../../src/math/rng';

const root = resolve(__dirname, '../../..');

describe('synthetic logs at a site scale', () => {
  it('give a book catalog tagged by author, publisher and decade, every tag on some book, most authors of one book', () => {
    const { items } = bookCatalog(5000, createRng('books'));
    expect(items).toHaveLength(5000);
    const kinds = new Map<string, Set<string>>();
    const perTag = new Map<string, number>();
    for (const it of items) {
      expect(it.tags.map((t) => t.split(':')[0])).toEqual(['author', 'publisher', 'decade']);
      for (const t of it.tags) {
        const kind = t.split(':')[0]!;
        kinds.set(kind, (kinds.get(kind) ?? new Set()).add(t));
        perTag.set(t, (perTag.get(t) ?? 0) + 1);
      }
    }
    const authors = kinds.get('author')!.size;
    // ≈ 2.3 books per author (P(≥ k books) = k^-1.5), so ~0.44 distinct tags per book as in the catalog (11,841 / 27,109).
    expect(authors / items.length).toBeGreaterThan(0.35);
    expect(authors / items.length).toBeLessThan(0.5);
    const single = [...kinds.get('author')!].filter((t) => perTag.get(t) === 1).length;
    expect(single / authors).toBeGreaterThan(0.5);
    expect(kinds.get('decade')!.size).toBeLessThanOrEqual(13);
  });

  it('write exactly the rows asked for, each user in time order, the same for the same seed', () => {
    const catalog = shopCatalog(500, createRng('shop').fork('catalog'));
    const rows = [...logRows(catalog, { interactions: 3000, perUser: 20 }, createRng('log'))];
    expect(rows).toHaveLength(3000);
    const last = new Map<string, number>();
    for (const [user, item, time] of rows) {
      expect(time).toBeGreaterThanOrEqual(last.get(user) ?? 0);
      last.set(user, time);
      expect(item).toMatch(/^i\d+$/);
    }
    expect(last.size).toBeGreaterThan(50);
    expect([...logRows(catalog, { interactions: 3000, perUser: 20 }, createRng('log'))]).toEqual(rows);
  });

  it('npm run gen:log writes interactions.csv and items.csv that the csv format loads', async () => {
    const out = mkdtempSync(join(tmpdir(), 'localrec-gen-log-'));
    try {
      const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
      await new Promise<void>((done, fail) =>
        execFile(process.execPath, [tsx, 'src/cli/gen-log.ts', '--catalog', 'books', '--items', '300', '--interactions', '2000', '--out', out], { cwd: root }, (error, _stdout, stderr) =>
          error ? fail(new Error(`gen-log failed: ${stderr}`)) : done(),
        ),
      );
      const dataset = await loadDataset('csv', out);
      expect(dataset.interactions).toHaveLength(2000);
      expect(dataset.hasTimestamps).toBe(true);
      expect(dataset.items).toHaveLength(300);
      expect(dataset.items.every((it) => it.tags.length === 3)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
