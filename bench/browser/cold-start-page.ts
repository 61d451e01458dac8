// Starts a recommender on the demo model and notes when the first ranking
// arrives, in ms since navigation started (performance.now()'s origin).
import { debugInfo } from '../../src/client/internals';
import { createRecommender, type ReadyInfo } from '../../src/index';

export interface ColdStart {
  readonly firstRankingMs: number;
  readonly readyMs: number;
  readonly info: ReadyInfo;
}

declare global {
  interface Window {
    coldStart?: ColdStart | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const rec = createRecommender({
  modelUrl: params.get('model') ?? '/models/demo/model.json',
  backend: (params.get('backend') ?? 'auto') as 'auto',
  dbName: 'localrec-cold-start',
});
// For benches that click after the start and read the worker's memory (bench/artifact-browser.ts).
Object.assign(window, { rec, recDebug: () => debugInfo(rec) });
let firstRankingMs = NaN;
rec.on('ranking', () => {
  if (Number.isNaN(firstRankingMs)) firstRankingMs = performance.now();
});
rec.ready.then(
  (info) => (window.coldStart = { firstRankingMs, readyMs: performance.now(), info }),
  (error: unknown) => (window.coldStart = { error: String(error) }),
);
