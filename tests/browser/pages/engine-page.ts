// Loaded into the blank test page: starts a recommender and records its events
// on `window`, so tests can drive it with page.evaluate.
import { createRecommender, type EventMap, type Recommender, type RecommenderOptions } from '../../../src/index';
import { currentWorker, debugInfo, setStallTimeout, simulateDeviceLoss } from '../../../src/client/internals';

export interface EventLog {
  adapt: EventMap['adapt'][];
  ranking: EventMap['ranking'][];
  progress: EventMap['progress'][];
  error: EventMap['error'][];
  backend: EventMap['backend'][];
  storage: EventMap['storage'][];
  restart: EventMap['restart'][];
}

declare global {
  interface Window {
    rec: Recommender;
    log: EventLog;
    debugInfo: typeof debugInfo;
    simulateDeviceLoss: typeof simulateDeviceLoss;
    currentWorker: typeof currentWorker;
    setStallTimeout: typeof setStallTimeout;
  }
}

export async function start(options: RecommenderOptions) {
  const rec = createRecommender(options);
  const log: EventLog = { adapt: [], ranking: [], progress: [], error: [], backend: [], storage: [], restart: [] };
  rec.on('adapt', (e) => log.adapt.push(e));
  rec.on('ranking', (e) => log.ranking.push(e));
  rec.on('progress', (e) => log.progress.push(e));
  rec.on('error', (e) => log.error.push(e));
  rec.on('backend', (e) => log.backend.push(e));
  rec.on('storage', (e) => log.storage.push(e));
  rec.on('restart', (e) => log.restart.push(e));
  window.rec = rec;
  window.log = log;
  window.debugInfo = debugInfo;
  window.simulateDeviceLoss = simulateDeviceLoss;
  window.currentWorker = currentWorker;
  window.setStallTimeout = setStallTimeout;
  return rec.ready;
}
