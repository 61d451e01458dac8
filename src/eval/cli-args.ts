import { PROTOCOL_DEFAULTS } from '../protocol/data.js';

/** Parsed `npm run eval` flags. */
export interface EvalArgs {
  format: string;
  data: string;
  out: string;
  threshold: number;
  minPositives: number;
  ks: number[];
  folds: number[];
  methods: string[];
  /** K of the step curve; undefined = each adapted method's runtime default. */
  steps: number | undefined;
}

const FLAGS = ['--format', '--data', '--out', '--threshold', '--min-positives', '--ks', '--folds', '--methods', '--steps'] as const;

function intList(flag: string, value: string, ok: (n: number) => boolean, allowed: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  const bad = parts.find((p, i) => p === '' || !Number.isInteger(nums[i]) || !ok(nums[i]!));
  if (bad !== undefined || parts.length === 0) throw new Error(`${flag} "${value}": "${bad ?? ''}" is not allowed; use ${allowed}`);
  if (new Set(nums).size !== nums.length) throw new Error(`${flag} "${value}" repeats a value; list each once`);
  return nums;
}

/**
 * Parses eval CLI flags (`--flag value` or `--flag=value`) against the allowed formats and
 * method names; every error names the flag, the bad value and what is allowed.
 */
export function parseEvalArgs(argv: readonly string[], formats: readonly string[], methodNames: readonly string[], defaultMethods: readonly string[]): EvalArgs {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!;
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) [flag, value] = [flag.slice(0, eq), flag.slice(eq + 1)];
    if (!(FLAGS as readonly string[]).includes(flag)) throw new Error(`Unknown argument "${flag}": the flags are ${FLAGS.join(', ')}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value, e.g. ${flag} ${example(flag)}`);
    }
    raw.set(flag, value);
  }
  const need = (flag: string): string => {
    const v = raw.get(flag);
    if (v === undefined) throw new Error(`Missing ${flag}: e.g. ${flag} ${example(flag)}`);
    return v;
  };
  const format = need('--format');
  if (!formats.includes(format)) throw new Error(`--format "${format}" is not supported; use one of ${formats.join(', ')}`);
  const threshold = Number(raw.get('--threshold') ?? PROTOCOL_DEFAULTS.threshold);
  if (!Number.isFinite(threshold)) throw new Error(`--threshold "${raw.get('--threshold')}" is not a number; use e.g. --threshold 4`);
  const methods = (raw.get('--methods') ?? defaultMethods.join(',')).split(',').map((s) => s.trim());
  for (const m of methods) {
    if (!methodNames.includes(m)) throw new Error(`--methods: unknown method "${m}"; use any of ${methodNames.join(', ')}`);
  }
  if (new Set(methods).size !== methods.length) throw new Error(`--methods "${methods.join(',')}" repeats a method; list each once`);
  return {
    format,
    data: format === 'synthetic' ? (raw.get('--data') ?? '') : need('--data'),
    out: need('--out'),
    threshold,
    minPositives: intList('--min-positives', raw.get('--min-positives') ?? String(PROTOCOL_DEFAULTS.minPositives), (n) => n >= 1, 'one integer >= 1')[0]!,
    ks: intList('--ks', raw.get('--ks') ?? PROTOCOL_DEFAULTS.ks.join(','), (n) => n >= 1, 'comma-separated integers >= 1, e.g. 1,3,5,10,20'),
    folds: intList('--folds', raw.get('--folds') ?? PROTOCOL_DEFAULTS.folds.join(','), (n) => n >= 0 && n <= 4, 'comma-separated folds among 0,1,2,3,4'),
    methods,
    steps: raw.has('--steps') ? intList('--steps', raw.get('--steps')!, (n) => n >= 0, 'one integer >= 0 (adaptation steps of the k = 5 curve)')[0]! : undefined,
  };
}

function example(flag: string): string {
  const examples: Record<string, string> = {
    '--format': 'movielens-100k',
    '--data': '../shared/data/ml-100k',
    '--out': 'bench/results/eval-movielens-100k.json',
    '--threshold': '4',
    '--min-positives': '25',
    '--ks': '1,3,5,10,20',
    '--folds': '0,1,2,3,4',
    '--methods': 'popularity,itemknn',
    '--steps': '10',
  };
  return examples[flag] ?? '<value>';
}
