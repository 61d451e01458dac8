// localrec's public API: a recommender that runs, and learns, in the visitor's browser.
export { createRecommender, type Recommender, type RecommenderOptions } from './client';
export type { BackendName, BackendPreference } from './backend/names';
export type {
  AdaptEvent,
  BackendTiming,
  ClickResult,
  ErrorData,
  EventMap,
  ExportedData,
  LoadProgress,
  RankedItem,
  RankingEvent,
  ReadyInfo,
  RestartEvent,
  SessionMetrics,
  StorageMode,
  StorageNotice,
  StoredEvent,
  StoredEventType,
  StoreStats,
} from './worker/messages';
export { CLICK_PHASES, type ClickPhase, type ClickTimings } from './worker/click-timings';
