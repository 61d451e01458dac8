import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { ML100K_GENRES, parseMl100kItems, parseMl100kRatings } from '../../../src/data/movielens-100k';
import { parseMl1mMovies, parseMl1mRatings, parseMl1mUsers } from '../../../src/data/movielens-1m';
import { latin1, writeFixture } from './fixtures';

const flags = (...set: number[]) => Array.from({ length: 19 }, (_, i) => (set.includes(i) ? '1' : '0')).join('|');

describe('MovieLens 100K', () => {
  const uData = '1\t10\t4\t881250949\n2\t10\t3\t891717742\n1\t20\t5\t878887116\n';
  const uItem = latin1(
    `10|Café Lumière (1999)|01-Jan-1999||http://example.org/10|${flags(5, 8)}\n` +
      `20|Plain Title (2001)|01-Jan-2001||http://example.org/20|${flags(0)}\n`,
  );

  it('loads ratings, latin-1 titles and genre tags', async () => {
    const ds = await loadDataset('movielens-100k', writeFixture({ 'u.data': uData, 'u.item': uItem }));
    expect(ds.name).toBe('movielens-100k');
    expect(ds.hasRatings && ds.hasTimestamps).toBe(true);
    expect(ds.interactions).toEqual([
      { user: '1', item: '10', rating: 4, timestamp: 881250949 },
      { user: '2', item: '10', rating: 3, timestamp: 891717742 },
      { user: '1', item: '20', rating: 5, timestamp: 878887116 },
    ]);
    expect(ds.items[0]).toEqual({ id: '10', title: 'Café Lumière (1999)', tags: ['Comedy', 'Drama'] });
    expect(ds.items[1]!.tags).toEqual(['unknown']);
  });

  it('takes genre names from u.genre when present', async () => {
    const genres = ML100K_GENRES.map((g, i) => `${i === 5 ? 'Funny' : g}|${i}`).join('\n') + '\n\n';
    const ds = await loadDataset('movielens-100k', writeFixture({ 'u.data': uData, 'u.item': uItem, 'u.genre': genres }));
    expect(ds.items[0]!.tags).toEqual(['Funny', 'Drama']);
  });

  it('names file, line and expectation for malformed rows', () => {
    expect(() => parseMl100kRatings('1\t2\t3\t4\n1 2 3 4\n')).toThrow(
      'u.data line 2: expected "user\\titem\\trating\\ttimestamp" (4 fields), got "1 2 3 4" (1 field)',
    );
    expect(() => parseMl100kRatings('1\t2\tfive\t4\n')).toThrow('u.data line 1: expected a number rating, got "five"');
    expect(() => parseMl100kRatings('1\t2\t3\tyesterday\n')).toThrow(
      'u.data line 1: expected an integer timestamp (seconds), got "yesterday"',
    );
    expect(() => parseMl100kItems(`1|T|d||u|${flags()}\n2|T|d||u|0|1\n`)).toThrow(
      /^u\.item line 2: expected "id\|title\|release date\|video release\|url\|19 genre flags" \(24 fields\), got "2\|T\|d\|\|u\|0\|1" \(7 fields\)$/,
    );
    expect(() => parseMl100kItems(`1|T|d||u|${flags().replace(/^0/, 'x')}\n`)).toThrow(
      'u.item line 1: expected genre flag 0 or 1 for "unknown" (field 6), got "x"',
    );
  });

  it('names the missing file and what the format needs', async () => {
    const dir = writeFixture({ 'u.data': uData });
    await expect(loadDataset('movielens-100k', dir)).rejects.toThrow(
      `Missing ${dir}/u.item: the movielens-100k format needs u.data and u.item in ${dir} (optional: u.genre)`,
    );
  });
});

describe('MovieLens 1M', () => {
  const files = {
    'ratings.dat': '1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n',
    'movies.dat': latin1('1193::Crème Brûlée Story (1975)::Drama\n661::Some Film (1996)::Animation|Children\'s|Musical\n'),
    'users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n',
  };

  it('loads ratings, latin-1 titles, genres and validates users.dat', async () => {
    const ds = await loadDataset('movielens-1m', writeFixture(files));
    expect(ds.name).toBe('movielens-1m');
    expect(ds.interactions).toHaveLength(3);
    expect(ds.interactions[0]).toEqual({ user: '1', item: '1193', rating: 5, timestamp: 978300760 });
    expect(ds.items).toEqual([
      { id: '1193', title: 'Crème Brûlée Story (1975)', tags: ['Drama'] },
      { id: '661', title: 'Some Film (1996)', tags: ['Animation', "Children's", 'Musical'] },
    ]);
  });

  it('names file, line and expectation for malformed rows', () => {
    const rows = Array.from({ length: 16 }, (_, i) => `1::${i}::4::978300760`).join('\n');
    expect(() => parseMl1mRatings(`${rows}\n12::x\n`)).toThrow(
      'ratings.dat line 17: expected "user::item::rating::timestamp" (4 fields), got "12::x" (2 fields)',
    );
    expect(() => parseMl1mMovies('1::Title\n')).toThrow(
      'movies.dat line 1: expected "id::title::Genre1|Genre2" (3 fields), got "1::Title" (2 fields)',
    );
    expect(() => parseMl1mUsers('1::F::1::10::48067\n2::X::1::10::1\n')).toThrow(
      'users.dat line 2: expected gender "M" or "F", got "X"',
    );
    expect(() => parseMl1mUsers('1::F::old::10::48067\n')).toThrow('users.dat line 1: expected an integer age code, got "old"');
  });

  it('rejects a malformed users.dat even though the model ignores demographics', async () => {
    await expect(loadDataset('movielens-1m', writeFixture({ ...files, 'users.dat': '1::F::1\n' }))).rejects.toThrow(
      'users.dat line 1: expected "user::gender::age::occupation::zip" (5 fields), got "1::F::1" (3 fields)',
    );
  });
});
