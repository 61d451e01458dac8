// `npm run eval`'s flags: formats, methods and the protocol's defaults.
import { availableParallelism } from 'node:os';
import { MAX_STEPS } from '../artifact/check';
import { PROTOCOL_DEFAULTS } from '../protocol/data';
import { parseFlags, required } from './flags';

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
  /** Protocols to run: v1 (cold start after k clicks), v2 (the prequential next click), or both. */
  protocols: ('v1' | 'v2')[];
  /** Where the v2 report goes when both protocols run (`--out` names the v1 report then). */
  outV2: string | undefined;
  /** Worker threads the folds run on (1: serial, in this thread). */
  threads: number;
}

/** The flags, for the given dataset formats and method names. */
export function evalFlags(formats: readonly string[], methodNames: readonly string[]) {
  return {
    format: { kind: 'string', example: 'movielens-100k', choices: formats },
    data: { kind: 'string', example: '../shared/data/ml-100k' },
    out: { kind: 'string', example: 'bench/results/eval-movielens-100k.json' },
    'out-v2': { kind: 'string', example: 'bench/results/eval-v2-movielens-100k.json' },
    protocol: { kind: 'strings', example: 'v1,v2', choices: ['v1', 'v2'] },
    threshold: { kind: 'number', example: '4', min: -Infinity, max: Infinity },
    'min-positives': { kind: 'number', example: '25', min: 1, max: 1_000_000, integer: true },
    ks: { kind: 'numbers', example: '1,3,5,10,20', min: 1, max: 1000, integer: true },
    folds: { kind: 'numbers', example: '0,1,2,3,4', min: 0, max: 4, integer: true },
    methods: { kind: 'strings', example: 'popularity,itemknn', choices: methodNames },
    steps: { kind: 'number', example: '10', min: 0, max: MAX_STEPS, integer: true },
    threads: { kind: 'number', example: '2', min: 1, max: 64, integer: true },
  } as const;
}

/**
 * Parses eval CLI flags (`--flag value` or `--flag=value`) against the allowed formats and
 * method names; every error names the flag, the bad value and what is allowed.
 */
export function parseEvalArgs(
  argv: readonly string[],
  formats: readonly string[],
  methodNames: readonly string[],
  defaultMethods: readonly string[],
  defaultMethodsV2: readonly string[] = defaultMethods,
): EvalArgs {
  const f = parseFlags(argv, evalFlags(formats, methodNames));
  const format = required(f.format, 'format', 'movielens-100k');
  const protocols = (f.protocol ?? ['v1']) as ('v1' | 'v2')[];
  const both = protocols.length === 2;
  if (f['out-v2'] !== undefined && !both) throw new Error('--out-v2 is only for --protocol v1,v2 (with one protocol, --out names its report)');
  if (both && f['out-v2'] === undefined) throw new Error('--protocol v1,v2 writes two reports: add --out-v2, e.g. --out-v2 bench/results/eval-v2-movielens-100k.json');
  return {
    format,
    data: format === 'synthetic' ? (f.data ?? '') : required(f.data, 'data', '../shared/data/ml-100k'),
    out: required(f.out, 'out', 'bench/results/eval-movielens-100k.json'),
    threshold: f.threshold ?? PROTOCOL_DEFAULTS.threshold,
    minPositives: f['min-positives'] ?? PROTOCOL_DEFAULTS.minPositives,
    ks: f.ks ?? [...PROTOCOL_DEFAULTS.ks],
    folds: f.folds ?? [...PROTOCOL_DEFAULTS.folds],
    methods: f.methods ?? [...(protocols.includes('v1') ? defaultMethods : defaultMethodsV2)],
    steps: f.steps,
    protocols,
    outV2: f['out-v2'],
    // Folds are independent and seeded by their number: on every core they give the serial run's reports.
    threads: f.threads ?? availableParallelism(),
  };
}
