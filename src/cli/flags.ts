// The one flag parser of the command lines (`npm run train`, `npm run eval`).
// Every numeric flag carries its range, and every error names the flag, the
// bad value and what is allowed.
import { describeRange, inRange, type Range } from '../math/range';

interface Described {
  /** A valid value, shown in errors: `--dim 32`. */
  readonly example: string;
}

/** What a flag accepts. */
export type FlagSpec =
  | (Described & { readonly kind: 'string'; readonly choices?: readonly string[] })
  /** Comma-separated names from `choices`, each once. */
  | (Described & { readonly kind: 'strings'; readonly choices: readonly string[] })
  /** `--flag` alone, `--flag true|false` or `--flag=true|false`. */
  | (Described & { readonly kind: 'bool' })
  /** A number in the range; whole when the range is `integer`. */
  | (Described & Range & { readonly kind: 'number' })
  /** Comma-separated whole numbers in the range, each once. */
  | (Described & Range & { readonly kind: 'numbers' });

type ValueOf<S extends FlagSpec> = S['kind'] extends 'string'
  ? string
  : S['kind'] extends 'strings'
    ? string[]
    : S['kind'] extends 'bool'
      ? boolean
      : S['kind'] extends 'numbers'
        ? number[]
        : number;

/** Parsed flags: each present one with its value, typed by its spec. */
export type Flags<T extends Readonly<Record<string, FlagSpec>>> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

/** Parses `--flag value`, `--flag=value` and bare boolean flags against `spec`; throws an Error naming any bad one. */
export function parseFlags<T extends Readonly<Record<string, FlagSpec>>>(argv: readonly string[], spec: T): Flags<T> {
  const out: Record<string, unknown> = {};
  const names = (): string => Object.keys(spec).map((f) => `--${f}`).join(', ');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--/, '');
    const s = spec[name];
    if (!arg.startsWith('--') || !s) throw new Error(`Unknown argument "${arg}": the flags are ${names()}`);
    let raw: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (s.kind === 'bool' && raw === undefined) {
      // `--flag` alone is true; `--flag false` reads the next word only when it is a boolean.
      const next = argv[i + 1];
      out[name] = next === 'true' || next === 'false' ? argv[++i] === 'true' : true;
      continue;
    }
    raw ??= argv[++i];
    if (raw === undefined || raw.startsWith('--')) throw new Error(`--${name} needs a value, e.g. --${name} ${s.example}`);
    out[name] = convert(name, raw, s);
  }
  return out as Flags<T>;
}

/** The value of a flag that must be given, or an Error with an example. */
export function required<V>(value: V | undefined, flag: string, example: string): V {
  if (value === undefined) throw new Error(`Missing --${flag}: e.g. --${flag} ${example}`);
  return value;
}

function convert(name: string, raw: string, s: FlagSpec): unknown {
  switch (s.kind) {
    case 'string':
      if (s.choices && !s.choices.includes(raw)) throw new Error(`--${name} "${raw}" is not one of ${s.choices.join(', ')}`);
      return raw;
    case 'bool':
      if (raw !== 'true' && raw !== 'false') throw new Error(`--${name} "${raw}" must be true or false`);
      return raw === 'true';
    case 'number':
      return number(name, raw, raw, s);
    case 'numbers':
      return distinct(name, raw, list(raw).map((part) => number(name, raw, part, s)));
    case 'strings':
      return distinct(
        name,
        raw,
        list(raw).map((part) => {
          if (!s.choices.includes(part)) throw new Error(`--${name} "${raw}": "${part}" is not one of ${s.choices.join(', ')}`);
          return part;
        }),
      );
  }
}

function list(raw: string): string[] {
  return raw.split(',').map((p) => p.trim());
}

/** `part` of `raw` as a number in the spec's range (a list flag names the bad entry too). */
function number(name: string, raw: string, part: string, s: Described & Range): number {
  const value = Number(part);
  const single = part === raw;
  const where = single ? `--${name} "${raw}"` : `--${name} "${raw}": "${part}"`;
  const range = describeRange(s);
  const allowed = `use ${single ? range : `comma-separated ${range.replace(/^an? (whole )?number/, (_, whole: string | undefined) => `${whole ?? ''}numbers`)}`}, e.g. --${name} ${s.example}`;
  if (part.trim() === '' || !Number.isFinite(value)) throw new Error(`${where} is not a number: ${allowed}`);
  if (!inRange(value, s)) throw new Error(`${where} is ${s.integer && !Number.isInteger(value) ? 'not a whole number' : 'out of range'}: ${allowed}`);
  return value;
}

function distinct<V>(name: string, raw: string, values: V[]): V[] {
  if (new Set(values).size !== values.length) throw new Error(`--${name} "${raw}" repeats a value; list each once`);
  return values;
}
