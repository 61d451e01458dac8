import { USER_PARAM_NAMES, userParamLength } from '../../core/int8-model';
import { MAX_STEPS, quote } from '../check';
import { ARTIFACT_FORMAT } from '../format';
import { FORMAT_VERSION_2, MAX_SHARD_BYTES, REQUIRED_SECTIONS, SCALAR_DTYPES, SECTION_TYPES, type MetaV2, type ModelJsonV2, type Section, type Span } from './format';

// Plain file names next to model.json, as in v1: a model.json cannot send the worker anywhere else.
const FILE_NAME = /^[A-Za-z0-9_][\w.-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const isCount = (value: unknown, min: number): value is number => Number.isInteger(value) && (value as number) >= min;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function malformed(what: string): never {
  throw new Error(`model.json (format version 2) is malformed: ${what}. Serve the model.json that \`npm run train\` or \`npm run convert\` wrote, unchanged.`);
}

function checkSpan(span: unknown, where: string, streamBytes: number, bytes: number | null): void {
  const s = span as Partial<Span> | undefined;
  if (!isCount(s?.offset, 0) || !isCount(s?.bytes, 0) || s.offset + s.bytes > streamBytes) {
    malformed(`${where} is ${quote(span)}, not a span inside the ${streamBytes} bytes of the weight shards`);
  }
  if (bytes !== null && s.bytes !== bytes) malformed(`${where} has ${s.bytes} bytes; its shape needs ${bytes}`);
}

function checkSection(name: string, section: Section, items: number, dim: number, streamBytes: number): void {
  const where = `localrec.sections.${name}`;
  if (!SECTION_TYPES.includes(section?.type)) malformed(`${where}.type is ${quote(section?.type)}; this runtime reads ${SECTION_TYPES.join(', ')} (a newer model? update localrec)`);
  if (section.rows !== items) malformed(`${where}.rows is ${quote(section.rows)}, not the ${items} items of the model`);
  if (section.type === 'int8-rows') {
    if (section.dim !== dim) malformed(`${where}.dim is ${quote(section.dim)}, not the model's dim ${dim}`);
    checkSpan(section.codes, `${where}.codes`, streamBytes, items * dim);
    checkSpan(section.scales, `${where}.scales`, streamBytes, 4 * items);
  } else if (section.type === 'scalars') {
    if (!SCALAR_DTYPES.includes(section.dtype)) malformed(`${where}.dtype is ${quote(section.dtype)}, not one of ${SCALAR_DTYPES.join(', ')}`);
    const width = { float32: 4, int16: 2, int8: 1 }[section.dtype];
    if (section.dtype !== 'float32' && !(Number.isFinite(section.scale) && Number.isFinite(section.offset))) malformed(`${where} needs a finite "scale" and "offset"`);
    checkSpan(section.values, `${where}.values`, streamBytes, width * items);
  } else {
    if (!isCount(section.entries, 0) || !(Number.isFinite(section.scale) && section.scale > 0)) malformed(`${where} needs whole "entries" and a "scale" > 0`);
    checkSpan(section.counts, `${where}.counts`, streamBytes, null);
    checkSpan(section.ids, `${where}.ids`, streamBytes, null);
    checkSpan(section.weights, `${where}.weights`, streamBytes, section.entries);
  }
}

/**
 * Checks a v2 model.json's structure and returns it typed, before any shard is
 * downloaded: file names, hashes and sizes, shard lists, sections against the
 * shape, per-visitor parameters, adaptation settings.
 */
export function checkModelJsonV2(json: unknown): ModelJsonV2 {
  const m = json as Partial<ModelJsonV2> | null;
  const meta = m?.localrec as Partial<MetaV2> | undefined;
  if (!isObject(m) || !isObject(meta) || meta.format !== ARTIFACT_FORMAT) {
    throw new Error(`model.json is not a localrec model: expected a "localrec" block with format "${ARTIFACT_FORMAT}". Train one with \`npm run train\`.`);
  }
  if (meta.formatVersion !== FORMAT_VERSION_2) throw new Error(`model.json has format version ${quote(meta.formatVersion)}, not 2: read it with the version 1 reader, or update localrec.`);
  if (typeof meta.version !== 'string' || meta.version === '' || meta.version.length > 200) malformed(`localrec.version is ${quote(meta.version)}, not a short string`);
  if (!isObject(meta.files)) malformed(`localrec.files (each file's SHA-256 and size) is missing`);
  for (const [name, entry] of Object.entries(meta.files)) {
    if (!FILE_NAME.test(name)) malformed(`localrec.files names ${quote(name)}; files must be plain names next to model.json`);
    if (!SHA256.test(String(entry?.sha256)) || !isCount(entry?.bytes, 0) || entry.bytes > MAX_SHARD_BYTES) {
      malformed(`localrec.files[${quote(name)}] needs a hex "sha256" and a whole number of "bytes" up to ${MAX_SHARD_BYTES}`);
    }
  }
  const listed = (file: unknown, where: string): number => {
    if (typeof file !== 'string' || !Object.hasOwn(meta.files!, file)) malformed(`${where} names ${quote(file)}, which localrec.files does not list`);
    return meta.files![file]!.bytes;
  };
  const { items, dim } = (meta.shape ?? {}) as Partial<MetaV2['shape']>;
  if (!isCount(items, 1) || !isCount(dim, 4) || dim % 4 !== 0) malformed(`localrec.shape is ${quote(meta.shape)}: it needs "items" ≥ 1 and "dim" a multiple of 4`);
  const steps = meta.adaptation?.steps;
  if (!isCount(steps, 0) || steps > MAX_STEPS) malformed(`localrec.adaptation.steps is ${quote(steps)}, not a whole number from 0 to ${MAX_STEPS}`);
  const negativeWeight = meta.adaptation!.negativeWeight;
  if (typeof negativeWeight !== 'number' || !Number.isFinite(negativeWeight) || negativeWeight < 0) malformed(`localrec.adaptation.negativeWeight is ${quote(negativeWeight)}, not a number ≥ 0`);
  if (!isObject(meta.user)) malformed('localrec.user (the per-visitor parameters) is missing');
  for (const name of USER_PARAM_NAMES) {
    const values = meta.user[name];
    if (!Array.isArray(values) || values.length !== userParamLength(name, dim) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      malformed(`localrec.user.${name} must be ${userParamLength(name, dim)} finite numbers`);
    }
  }
  if (!Array.isArray(meta.weights) || meta.weights.length === 0) malformed('localrec.weights (the weight shards in order) is missing');
  const streamBytes = meta.weights.reduce((total, file, i) => total + listed(file, `localrec.weights[${i}]`), 0);
  if (!Array.isArray(meta.catalog) || meta.catalog.length === 0) malformed('localrec.catalog (the catalog shards in order) is missing');
  let catalogItems = 0;
  meta.catalog.forEach((shard, i) => {
    listed(shard?.file, `localrec.catalog[${i}].file`);
    if (!isCount(shard.items, 0)) malformed(`localrec.catalog[${i}].items is ${quote(shard.items)}, not a whole number`);
    catalogItems += shard.items;
  });
  if (catalogItems !== items) malformed(`the catalog shards hold ${catalogItems} items, the model ${items}`);
  if (!isObject(meta.sections)) malformed('localrec.sections is missing');
  for (const [name, type] of Object.entries(REQUIRED_SECTIONS)) {
    if (meta.sections[name]?.type !== type) malformed(`localrec.sections.${name} must be a "${type}" section`);
  }
  for (const [name, section] of Object.entries(meta.sections)) {
    if (!Object.hasOwn(REQUIRED_SECTIONS, name) && section?.type !== 'item-lists') malformed(`localrec.sections.${name} is a ${quote(section?.type)} section; only item lists may be added to the required ones`);
    checkSection(name, section as Section, items, dim, streamBytes);
  }
  const used = new Set([...meta.weights, ...meta.catalog.map((c) => c.file)]);
  const unused = Object.keys(meta.files).find((f) => !used.has(f));
  if (unused !== undefined) malformed(`localrec.files lists ${quote(unused)}, which no weight or catalog shard list uses`);
  if (used.size !== meta.weights.length + meta.catalog.length) malformed('a shard is listed twice');
  return m as ModelJsonV2;
}

/** The files to download besides model.json: every shard, always (which ones never depends on the visitor). */
export function filesV2(json: unknown): string[] {
  return Object.keys(checkModelJsonV2(json).localrec.files);
}
