// The evaluation harness of protocol v1, minus the Node-only file writer (import ./write.js for that).
export { fnv1a32, userBucket } from './fnv.js';
export { PROTOCOL_DEFAULTS, buildCatalog, buildFold, makeEpisode, prepareData, userRole } from './protocol.js';
export type { Episode, PreparedData } from './protocol.js';
export {
  episodeMetrics,
  exclusionMask,
  hitAt,
  meanWithInterval,
  ndcgAt,
  rankOf,
  recallAt,
  reciprocalRank,
  topN,
} from './metrics.js';
export { evaluateAtK, gridSearch, validationObjective } from './evaluate.js';
export type { EpisodeResults, GridStage, GridTrial } from './evaluate.js';
export { runHarness } from './harness.js';
export type { CellResult, EvalReport, HarnessOptions, MethodResult } from './harness.js';
export { markdownReport } from './report.js';
export { svgPlot } from './plot.js';
export { DEFAULT_METHODS, METHODS } from './methods/index.js';
export type { FitContext, FoldData, Method, MethodFactory, Scorer, Scores, UserPositives } from './types.js';
