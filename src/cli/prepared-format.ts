// The prepared-data bundle's header (src/cli/prepare.ts writes it, trainer/ reads it): its
// format, and the check that a bundle fits a run. No tfjs here: `npm run train:dist` checks
// a bundle with it and then waits on torchrun, and should hold no tensor library meanwhile.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainConfig } from '../train/config';

export const PREPARED_FORMAT = 'localrec-prepared';
/** 2: the vocabulary and the validation subset are chosen here (1 left both to each trainer). */
export const PREPARED_VERSION = 2;

/** A user's role in the bundle (src/train/dataset-split.ts shippingSplit, then validationSubset). */
export const ROLE = { train: 0, validation: 1, unused: 2 } as const;

/** The training settings the bundle's choices depend on: a run with other values may need another bundle (choiceSettingsUsed). */
export const CHOICE_SETTINGS = ['seed', 'validationUsers', 'tagMinCounts', 'dim', 'alsAlpha', 'alsLambdas', 'innerSteps', 'objective', 'validationKs'] as const;
export type ChoiceSettings = Pick<TrainConfig, (typeof CHOICE_SETTINGS)[number]>;

/** What the vocabulary search validates with (src/train/vocabulary.ts), beyond the candidates themselves. */
const SEARCH_SETTINGS = ['seed', 'dim', 'alsAlpha', 'alsLambdas', 'innerSteps', 'objective', 'validationKs'] as const;

export type Dtype = 'int64' | 'int32' | 'uint8';

/** What prepared.json says. */
export interface PreparedHeader {
  readonly format: typeof PREPARED_FORMAT;
  readonly version: typeof PREPARED_VERSION;
  readonly dataset: {
    readonly name: string;
    readonly format: string;
    readonly positives: string;
    readonly fingerprint: string;
    readonly users: number;
    readonly items: number;
    readonly interactions: number;
  };
  readonly split: {
    readonly fold: number;
    readonly minPositives: number;
    readonly threshold: number;
    readonly train: number;
    /** Validation users both trainers choose by: the seeded subset of at most choices.validationUsers. */
    readonly validation: number;
    /** The validation bucket's users with --min-positives or more, before the subset. */
    readonly validationBucket: number;
    readonly unused: number;
  };
  /** The settings the validation subset and the vocabulary were chosen with. */
  readonly choices: ChoiceSettings;
  /** The chosen vocabulary's minimum count and size, and whether validation chose among several (its names and trials: vocabulary.json). */
  readonly vocabulary: { readonly minCount: number; readonly features: number; readonly searched: boolean };
  readonly files: Readonly<Record<string, { readonly dtype?: Dtype; readonly length?: number; readonly bytes: number }>>;
}

/**
 * Throws unless the bundle in `dir` is of this version and was prepared with `config`'s
 * choice settings: its validation users and vocabulary would not be this run's.
 */
export async function checkPrepared(dir: string, config: ChoiceSettings): Promise<PreparedHeader> {
  const header = JSON.parse(await readFile(join(dir, 'prepared.json'), 'utf8')) as PreparedHeader;
  const rerun = `rerun \`npm run train:prepare -- <the flags of this run> --out ${dir}\` (or leave out --prepared)`;
  if (header.format !== PREPARED_FORMAT || header.version !== PREPARED_VERSION) {
    throw new Error(`${dir}/prepared.json is a ${String(header.format)} bundle of version ${String(header.version)}; this localrec reads version ${PREPARED_VERSION}, which carries the chosen vocabulary and validation users: ${rerun}.`);
  }
  const differ = choiceSettingsUsed(header, config).filter((k) => JSON.stringify(header.choices[k]) !== JSON.stringify(config[k]));
  if (differ.length > 0) {
    const diff = differ.map((k) => `${k} ${JSON.stringify(header.choices[k])} → ${JSON.stringify(config[k])}`).join(', ');
    throw new Error(`${dir} was prepared with other settings (${diff}), which choose the validation users and the vocabulary: ${rerun}.`);
  }
  return header;
}


/**
 * The settings that made the bundle's choices, for a run with `config`: the candidate
 * minimum counts always; the subset's size and seed when either cap cuts the validation
 * bucket; the search's settings when validation chose among several vocabularies.
 */
export function choiceSettingsUsed(header: Pick<PreparedHeader, 'split' | 'choices' | 'vocabulary'>, config: Pick<ChoiceSettings, 'validationUsers'>): (keyof ChoiceSettings)[] {
  const cut = header.split.validationBucket > Math.min(header.choices.validationUsers, config.validationUsers);
  const used = new Set<keyof ChoiceSettings>(['tagMinCounts', ...(cut ? (['validationUsers', 'seed'] as const) : []), ...(header.vocabulary.searched ? SEARCH_SETTINGS : [])]);
  return CHOICE_SETTINGS.filter((k) => used.has(k));
}
