import { describe, expect, it } from 'vitest';
import { parseFlags, required } from '../../../src/cli/flags';
import { TRAIN_FLAGS } from '../../../src/cli/train-args';

const SPEC = {
  name: { kind: 'string', example: 'a', choices: ['a', 'b'] },
  on: { kind: 'bool', example: 'true' },
  count: { kind: 'number', example: '3', min: 1, max: 10, integer: true },
  rate: { kind: 'number', example: '0.1', min: 0, max: 1, above: true },
  ks: { kind: 'numbers', example: '1,5', min: 1, max: 20, integer: true },
  picks: { kind: 'strings', example: 'x,y', choices: ['x', 'y', 'z'] },
} as const;

describe('the command lines\' flag parser', () => {
  it('reads every kind, with = or a separate value, typed by its spec', () => {
    const f = parseFlags(['--name', 'b', '--on', '--count=4', '--rate', '0.5', '--ks', '1, 5', '--picks=z,x'], SPEC);
    expect(f).toEqual({ name: 'b', on: true, count: 4, rate: 0.5, ks: [1, 5], picks: ['z', 'x'] });
    expect(parseFlags(['--on', 'false'], SPEC)).toEqual({ on: false });
  });

  it('names the flag, the bad value and the range of a number out of it', () => {
    const parse = (...argv: string[]) => () => parseFlags(argv, SPEC);
    expect(parse('--count', '0')).toThrow('--count "0" is out of range: use a whole number from 1 to 10, e.g. --count 3');
    expect(parse('--count', '2.5')).toThrow('--count "2.5" is not a whole number: use a whole number from 1 to 10, e.g. --count 3');
    expect(parse('--count', 'many')).toThrow('--count "many" is not a number: use a whole number from 1 to 10');
    expect(parse('--rate', '0')).toThrow('--rate "0" is out of range: use a number above 0 and at most 1, e.g. --rate 0.1');
    expect(parse('--rate', 'Infinity')).toThrow('--rate "Infinity" is not a number');
    expect(parse('--ks', '1,30')).toThrow('--ks "1,30": "30" is out of range: use comma-separated whole numbers from 1 to 20, e.g. --ks 1,5');
    expect(parse('--ks', '1,,5')).toThrow('--ks "1,,5": "" is not a number');
    expect(parse('--ks', '5,5')).toThrow('--ks "5,5" repeats a value; list each once');
    expect(parse('--name', 'c')).toThrow('--name "c" is not one of a, b');
    expect(parse('--picks', 'x,w')).toThrow('--picks "x,w": "w" is not one of x, y, z');
    expect(parse('--on=yes')).toThrow('--on "yes" must be true or false');
    expect(parse('--count')).toThrow('--count needs a value, e.g. --count 3');
    expect(parse('--verbose')).toThrow('Unknown argument "--verbose": the flags are --name, --on, --count, --rate, --ks, --picks');
    expect(() => required(undefined, 'out', 'models/mine')).toThrow('Missing --out: e.g. --out models/mine');
  });

  it('gives every numeric flag of npm run train a finite-or-declared range', () => {
    for (const [name, spec] of Object.entries(TRAIN_FLAGS)) {
      if (spec.kind !== 'number') continue;
      expect(spec.min, name).toBeLessThanOrEqual(spec.max);
      // threshold accepts any finite rating; every other flag is bounded on both sides
      if (name !== 'threshold') expect(Number.isFinite(spec.min) && Number.isFinite(spec.max), name).toBe(true);
    }
    expect(() => parseFlags(['--iterations', '0'], TRAIN_FLAGS)).toThrow('--iterations "0" is out of range: use a whole number from 1 to 10,000,000, e.g. --iterations 300');
    expect(() => parseFlags(['--pretrain-iterations', '-1'], TRAIN_FLAGS)).toThrow('--pretrain-iterations "-1" is out of range: use a whole number from 0 to 10,000,000');
    expect(() => parseFlags(['--steps', '101'], TRAIN_FLAGS)).toThrow('--steps "101" is out of range: use a whole number from 0 to 100');
  });
});
