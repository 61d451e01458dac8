import { initialState } from '../core/kernels';
import { deserializeState, type SavedState } from '../core/state';
import type { UserState } from '../core/types';
import type { Store } from '../storage/types';
import { eventsToFeedback } from './feedback';
import type { EventMap } from './messages';
import type { EngineModel } from './model';

/** What a visitor's stored data gives a new session. */
export interface Restored {
  /** The parameters to rank with (the caller owns the tensors). */
  readonly state: UserState;
  /** The stored parameters as plain numbers, when they were usable. */
  readonly saved: SavedState | null;
  /** Stored events the restored parameters were not adapted on. */
  readonly staleBy: number;
  readonly personal: boolean;
  readonly storedEvents: number;
  readonly ignoredEvents: number;
  readonly discardedStates: readonly string[];
}

/** Restores stored adapted parameters (personal at once) or starts from the meta-initialization and the stored clicks. */
export async function restore(model: EngineModel, store: Store, emit: <K extends keyof EventMap>(type: K, data: EventMap[K]) => void): Promise<Restored> {
  const events = await store.events();
  const stored = await store.loadState(model.version);
  // Parameters adapted under another model version live in that model's space:
  // they are deleted, not reused. The events carry the visitor over instead.
  const discardedStates = stored || events.length === 0 ? [] : (await store.exportAll()).states.map((s) => s.version);
  if (discardedStates.length > 0) await store.clearState();
  let state: UserState | null = null;
  let saved: SavedState | null = null;
  const feedback = eventsToFeedback(events, model.catalog);
  if (stored) {
    try {
      saved = stored.state as SavedState;
      state = deserializeState(saved, model.dim, model.adaptModel, feedback.clicks);
    } catch (error) {
      emit('error', { name: 'StaleState', message: (error as Error).message });
      saved = null;
    }
  }
  // No stored parameters (e.g. a new model version): the zero-step start from the stored clicks is cheap and already personal.
  state ??= initialState(model.adaptModel, feedback.clicks, model.kernel);
  return {
    state,
    saved,
    staleBy: events.length - (saved ? stored!.eventCount : 0),
    personal: saved !== null || feedback.clicks.length > 0,
    storedEvents: events.length,
    // Items that left the catalog: counted, not an error (the events stay stored).
    ignoredEvents: events.filter((e) => model.catalog.indexOf(e.itemId) === undefined).length,
    discardedStates,
  };
}
