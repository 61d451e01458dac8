/** Pure parsers for Last.fm hetrec-2011 (`user_artists.dat`, `artists.dat`). */
import type { Dataset, Interaction, ItemContent } from './dataset';
import { fieldCountError, forEachLine, idField, parseIntField, quote, rowError } from './text';

function checkHeader(line: string, lineNo: number, expected: readonly string[], file: string): void {
  const found = line.split('\t');
  const ok = expected.every((name, i) => found[i]?.trim() === name);
  if (!ok) throw rowError(file, lineNo, `header "${expected.join('\\t')}"`, quote(line));
}

/**
 * Parses `user_artists.dat` (`userID\tartistID\tweight`, header row). Every
 * row is a positive; the weight is a play count, validated but deliberately
 * not stored as a rating.
 */
export function parseLastfmUserArtists(text: string, file = 'user_artists.dat'): Interaction[] {
  const out: Interaction[] = [];
  let sawHeader = false;
  forEachLine(text, (line, lineNo) => {
    if (!sawHeader) {
      checkHeader(line, lineNo, ['userID', 'artistID', 'weight'], file);
      sawHeader = true;
      return;
    }
    const f = line.split('\t');
    if (f.length !== 3) throw fieldCountError(file, lineNo, 'userID\\tartistID\\tweight', 3, line, f.length);
    const weight = parseIntField(f[2]!, file, lineNo, 'play count (weight)');
    if (weight < 0) throw rowError(file, lineNo, 'a play count >= 0', quote(f[2]!));
    out.push({
      user: idField(f[0]!, file, lineNo, 'user id'),
      item: idField(f[1]!, file, lineNo, 'artist id'),
    });
  });
  if (!sawHeader) throw new Error(`${file} is empty: expected a header "userID\\tartistID\\tweight" and one row per user-artist pair`);
  return out;
}

/** Parses `artists.dat` (UTF-8, header `id\tname\turl\tpictureURL`); url columns may be empty or missing. */
export function parseLastfmArtists(text: string, file = 'artists.dat'): ItemContent[] {
  const out: ItemContent[] = [];
  let sawHeader = false;
  forEachLine(text, (line, lineNo) => {
    if (!sawHeader) {
      checkHeader(line, lineNo, ['id', 'name'], file);
      sawHeader = true;
      return;
    }
    const f = line.split('\t');
    if (f.length < 2 || f.length > 4) {
      throw fieldCountError(file, lineNo, 'id\\tname\\turl\\tpictureURL', '2 to 4', line, f.length);
    }
    out.push({ id: idField(f[0]!, file, lineNo, 'artist id'), title: f[1]!, tags: [] });
  });
  if (!sawHeader) throw new Error(`${file} is empty: expected a header "id\\tname\\turl\\tpictureURL" and one row per artist`);
  return out;
}

/** File contents of a Last.fm hetrec-2011 folder; `artists` supplies titles when present. */
export interface LastfmFiles {
  readonly userArtists: string;
  readonly artists?: string;
}

/** Builds the "lastfm" dataset: implicit positives, no ratings, no timestamps, no tags. */
export function parseLastfm(files: LastfmFiles): Dataset {
  return {
    name: 'lastfm',
    interactions: parseLastfmUserArtists(files.userArtists),
    items: files.artists === undefined ? [] : parseLastfmArtists(files.artists),
    hasRatings: false,
    hasTimestamps: false,
  };
}
