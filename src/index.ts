// localrec's public API: a recommender that runs, and learns, in the visitor's browser.
export { createRecommender, type Recommender, type RecommenderOptions } from './client';
export type { BackendName, BackendPreference } from './backend/names';
export type { BackendTiming } from './backend/select';
export type {
  AdaptEvent,
  ClickResult,
  ErrorData,
  EventMap,
  LoadProgress,
  RankedItem,
  RankingEvent,
  ReadyInfo,
  RestartEvent,
  SessionMetrics,
} from './worker/messages';
export type { ExportedData, StoreStats } from './storage/privacy';
export type { StorageMode, StorageNotice } from './storage/resilient';
export type { StoredEvent, EventType as StoredEventType } from './storage/schema';
