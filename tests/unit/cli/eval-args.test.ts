import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { parseEvalArgs } from '../../../src/cli/eval-args';

const formats = ['movielens-100k', 'lastfm', 'csv'];
const names = ['popularity', 'itemknn', 'ease'];
const parse = (...argv: string[]) => parseEvalArgs(argv, formats, names, ['popularity', 'itemknn']);
const base = ['--format', 'lastfm', '--data', 'd', '--out', 'o.json'];

describe('eval CLI flags', () => {
  it('applies the protocol defaults', () => {
    expect(parse(...base)).toEqual({
      format: 'lastfm',
      data: 'd',
      out: 'o.json',
      threshold: 4,
      minPositives: 25,
      ks: [1, 3, 5, 10, 20],
      folds: [0, 1, 2, 3, 4],
      methods: ['popularity', 'itemknn'],
      steps: undefined,
      protocols: ['v1'],
      outV2: undefined,
      threads: availableParallelism(),
    });
  });

  it('runs protocol v2 or both, and asks where the second report goes', () => {
    expect(parse(...base, '--protocol', 'v2')).toMatchObject({ protocols: ['v2'], out: 'o.json' });
    expect(parse(...base, '--protocol', 'v1,v2', '--out-v2', 'v2.json')).toMatchObject({ protocols: ['v1', 'v2'], outV2: 'v2.json' });
    expect(() => parse(...base, '--protocol', 'v1,v2')).toThrow(/--out-v2/);
    expect(() => parse(...base, '--out-v2', 'x.json')).toThrow(/only for --protocol v1,v2/);
    expect(() => parse(...base, '--protocol', 'v3')).toThrow(/--protocol.*v3/);
  });

  it('reads every flag, with = or a separate value', () => {
    const a = parse(...base, '--threshold=3.5', '--min-positives', '10', '--ks', '1,5', '--folds=2', '--methods', 'ease', '--steps', '3', '--threads', '1');
    expect(a).toMatchObject({ steps: 3,  threshold: 3.5, minPositives: 10, ks: [1, 5], folds: [2], methods: ['ease'], threads: 1 });
    expect(() => parse(...base, '--threads', '0')).toThrow(/--threads/);
  });

  it('names the flag, the bad value and the allowed values', () => {
    expect(() => parse('--format', 'netflix', '--data', 'd', '--out', 'o')).toThrow(/--format "netflix".*movielens-100k, lastfm, csv/);
    expect(() => parse(...base, '--folds', '0,7')).toThrow(/--folds "0,7": "7".*0,1,2,3,4/);
    expect(() => parse(...base, '--ks', '1,x')).toThrow(/--ks "1,x": "x"/);
    expect(() => parse(...base, '--methods', 'popularity,svd')).toThrow('--methods "popularity,svd": "svd" is not one of popularity, itemknn, ease');
    expect(() => parse(...base, '--methods', 'ease,ease')).toThrow('--methods "ease,ease" repeats a value; list each once');
    expect(() => parse(...base, '--steps', '-1')).toThrow('--steps "-1" is out of range: use a whole number from 0 to 100, e.g. --steps 10');
    expect(() => parse(...base, '--min-positives', '0')).toThrow('--min-positives "0" is out of range: use a whole number from 1 to 1,000,000');
    expect(() => parse(...base, '--threshold', 'high')).toThrow(/--threshold "high"/);
    expect(() => parse(...base, '--verbose')).toThrow(/Unknown argument "--verbose"/);
    expect(() => parse('--format', 'lastfm', '--out', 'o')).toThrow(/Missing --data/);
    expect(() => parse(...base, '--ks')).toThrow(/--ks needs a value/);
  });
});
