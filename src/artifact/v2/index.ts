export * from './format';
export { encodeModelV2, DEFAULT_BIAS_DTYPE, DEFAULT_CONTEXT_CODES, type EncodeOptions, type FinishedModel } from './encode';
export { decodeModelV2, verifyFilesV2, type DecodedModelV2, type DecodeOptions } from './decode';
export { checkModelJsonV2, filesV2 } from './check';
export { finishParams, finishTable, finishV1, type FinishedLists, type FinishedRest } from './finish';
export { isSafeLink, MAX_LINK_LENGTH } from './catalog';
