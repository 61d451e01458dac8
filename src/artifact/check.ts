import { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type ModelJson } from './format';

/** Most adaptation steps per click an artifact may ask for: each step costs the visitor's device a full pass. */
export const MAX_STEPS = 100;

/** Longest item id in a catalog, characters; the page refuses longer ids before they reach the worker. */
export const MAX_ITEM_ID_LENGTH = 1024;

// A plain file name next to model.json: no folders, no scheme, so a model.json
// cannot send the worker to download from anywhere else.
const FILE_NAME = /^[A-Za-z0-9_][\w.-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const isCount = (value: unknown, min: number): value is number => Number.isInteger(value) && (value as number) >= min;

function malformed(what: string): never {
  throw new Error(`model.json is malformed: ${what}. Serve the model.json that \`npm run train\` wrote, unchanged.`);
}

/** Quotes a value from a file for an error message, cut short: a hostile file must not make a huge message. */
export function quote(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}

/**
 * Checks model.json's structure and returns it typed; errors say what is wrong.
 * Everything the runtime reads from it is checked here, before any shard is
 * downloaded: file names and hashes, the model shape, the adaptation settings.
 */
export function checkModelJson(json: unknown): ModelJson {
  const m = json as Partial<ModelJson> | null;
  const meta = m?.localrec;
  if (!m || typeof m !== 'object' || !meta || typeof meta !== 'object' || meta.format !== ARTIFACT_FORMAT) {
    throw new Error(`model.json is not a localrec model: expected a "localrec" block with format "${ARTIFACT_FORMAT}". Train one with \`npm run train\`.`);
  }
  if (typeof meta.formatVersion === 'number' && meta.formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new Error(`model.json has format version ${meta.formatVersion}: update localrec (this runtime reads version ${ARTIFACT_FORMAT_VERSION}).`);
  }
  if (meta.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new Error(`model.json has format version ${quote(meta.formatVersion)}; this runtime reads version ${ARTIFACT_FORMAT_VERSION}. Retrain the model or upgrade localrec.`);
  }
  if (typeof meta.version !== 'string' || meta.version === '' || meta.version.length > 200) malformed(`localrec.version is ${quote(meta.version)}, not a short string`);
  if (!meta.files || typeof meta.files !== 'object') malformed('localrec.files (each file\'s SHA-256 and size) is missing');
  for (const [name, entry] of Object.entries(meta.files)) {
    if (!FILE_NAME.test(name)) malformed(`localrec.files names ${quote(name)}; files must be plain names next to model.json`);
    if (!SHA256.test(String(entry?.sha256)) || !isCount(entry?.bytes, 0)) malformed(`localrec.files[${quote(name)}] needs a hex "sha256" and a whole number of "bytes"`);
  }
  const shape = meta.shape;
  for (const key of ['items', 'features', 'dim'] as const) {
    if (!isCount(shape?.[key], 1)) malformed(`localrec.shape.${key} is ${quote(shape?.[key])}, not a whole number ≥ 1`);
  }
  if (!Array.isArray(meta.featureNames) || meta.featureNames.length !== shape.features || !meta.featureNames.every((f) => typeof f === 'string')) {
    malformed(`localrec.featureNames must list ${shape.features} names (localrec.shape.features)`);
  }
  const steps = meta.adaptation?.steps;
  if (!isCount(steps, 0) || steps > MAX_STEPS) malformed(`localrec.adaptation.steps is ${quote(steps)}, not a whole number from 0 to ${MAX_STEPS}`);
  const negativeWeight = meta.adaptation.negativeWeight;
  if (typeof negativeWeight !== 'number' || !Number.isFinite(negativeWeight) || negativeWeight < 0) {
    malformed(`localrec.adaptation.negativeWeight is ${quote(negativeWeight)}, not a number ≥ 0`);
  }
  const groups = m.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !Array.isArray(groups[0]?.paths) || !Array.isArray(groups[0]?.weights)) {
    malformed('it needs exactly one weightsManifest group with "paths" and "weights"');
  }
  for (const path of groups[0]!.paths) {
    // An unlisted shard would be used without its hash being checked.
    if (typeof path !== 'string' || !Object.hasOwn(meta.files, path)) malformed(`weightsManifest path ${quote(path)} is not listed in localrec.files`);
  }
  return m as ModelJson;
}

/** The files to download besides model.json (relative to it). */
export function artifactFiles(json: unknown): string[] {
  return Object.keys(checkModelJson(json).localrec.files);
}
