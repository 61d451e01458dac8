/** A flag's kind: what it accepts, and the example shown when it is missing or wrong. */
export interface FlagSpec {
  readonly kind: 'string' | 'int' | 'number' | 'bool';
  readonly example: string;
  readonly choices?: readonly string[];
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

/**
 * Parses `--flag value`, `--flag=value` and bare boolean flags against a spec;
 * every error names the flag, the bad value and what is allowed.
 */
export function parseFlags(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): FlagValues {
  const out: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--/, '');
    const s = spec[name];
    if (!arg.startsWith('--') || !s) {
      throw new Error(`Unknown argument "${arg}": the flags are ${Object.keys(spec).map((f) => `--${f}`).join(', ')}`);
    }
    let raw: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (s.kind === 'bool' && raw === undefined) {
      out[name] = true;
      continue;
    }
    raw ??= argv[++i];
    if (raw === undefined || raw.startsWith('--')) throw new Error(`--${name} needs a value, e.g. --${name} ${s.example}`);
    out[name] = convert(name, raw, s);
  }
  return out;
}

function convert(name: string, raw: string, s: FlagSpec): string | number | boolean {
  if (s.choices && !s.choices.includes(raw)) {
    throw new Error(`--${name} "${raw}" is not one of ${s.choices.join(', ')}`);
  }
  if (s.kind === 'string') return raw;
  if (s.kind === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw new Error(`--${name} "${raw}" must be true or false`);
    return raw === 'true';
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (s.kind === 'int' && !Number.isInteger(n))) {
    throw new Error(`--${name} "${raw}" is not ${s.kind === 'int' ? 'an integer' : 'a number'}, e.g. --${name} ${s.example}`);
  }
  return n;
}
