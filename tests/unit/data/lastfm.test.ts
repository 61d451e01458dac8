import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { parseLastfmArtists, parseLastfmUserArtists } from '../../../src/data/lastfm';
import { writeFixture } from './fixtures';

describe('Last.fm hetrec-2011', () => {
  const userArtists = 'userID\tartistID\tweight\r\n2\t51\t13883\r\n2\t52\t11690\r\n3\t51\t228';
  const artists = 'id\tname\turl\tpictureURL\n51\tDuran Dúo\thttp://x/51\thttp://x/51.jpg\n52\tBjörk-ish\thttp://x/52\n';

  it('loads CRLF pairs as positives without ratings or timestamps, names from artists.dat', async () => {
    const ds = await loadDataset('lastfm', writeFixture({ 'user_artists.dat': userArtists, 'artists.dat': artists }));
    expect(ds).toMatchObject({ name: 'lastfm', hasRatings: false, hasTimestamps: false });
    expect(ds.interactions).toEqual([
      { user: '2', item: '51' },
      { user: '2', item: '52' },
      { user: '3', item: '51' },
    ]);
    for (const row of ds.interactions) expect('rating' in row || 'timestamp' in row).toBe(false);
    expect(ds.items).toEqual([
      { id: '51', title: 'Duran Dúo', tags: [] },
      { id: '52', title: 'Björk-ish', tags: [] },
    ]);
  });

  it('works without artists.dat (ids only)', async () => {
    const ds = await loadDataset('lastfm', writeFixture({ 'user_artists.dat': userArtists }));
    expect(ds.items).toEqual([]);
    expect(ds.interactions).toHaveLength(3);
  });

  it('names file, line and expectation for malformed rows', () => {
    expect(() => parseLastfmUserArtists('user\tartist\r\n')).toThrow(
      'user_artists.dat line 1: expected header "userID\\tartistID\\tweight", got "user\\tartist"',
    );
    expect(() => parseLastfmUserArtists('userID\tartistID\tweight\r\n2\t51\t1\r\n2,52,3\r\n')).toThrow(
      'user_artists.dat line 3: expected "userID\\tartistID\\tweight" (3 fields), got "2,52,3" (1 field)',
    );
    expect(() => parseLastfmUserArtists('userID\tartistID\tweight\r\n2\t51\tlots\r\n')).toThrow(
      'user_artists.dat line 2: expected an integer play count (weight), got "lots"',
    );
    expect(() => parseLastfmUserArtists('')).toThrow(/user_artists\.dat is empty/);
    expect(() => parseLastfmArtists('id\tname\turl\tpictureURL\n7\n')).toThrow(
      'artists.dat line 2: expected "id\\tname\\turl\\tpictureURL" (2 to 4 fields), got "7" (1 field)',
    );
  });
});
