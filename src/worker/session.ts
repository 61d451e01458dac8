import { adapt } from '../core/adapt';
import { initialState, rank, scoreAll } from '../core/kernels';
import { disposeState, deserializeState, serializeState, type SavedState } from '../core/state';
import type { UserState } from '../core/types';
import type { NewEvent } from '../storage/schema';
import type { Store } from '../storage/types';
import { clickedSet, eventsToFeedback } from './feedback';
import type { ClickResult, EventMap, RankedItem, RankingEvent, SessionMetrics } from './messages';
import { exclusionMask, rankOf } from '../protocol/metrics';
import { addClickRank, EMPTY_METRICS } from './metrics';
import { indexOf, type EngineModel } from './model';

/** Items in each pushed 'ranking' event. */
export const RANKING_SIZE = 20;

export type Emit = <K extends keyof EventMap>(type: K, data: EventMap[K]) => void;


/** A session restored from storage, and what the restore found. */
export interface OpenedSession {
  readonly session: Session;
  readonly personal: boolean;
  readonly storedEvents: number;
  readonly ignoredEvents: number;
  readonly discardedStates: readonly string[];
}

/**
 * One visitor on one model: their current adapted parameters, the running
 * prequential metrics, and the adaptation in flight (at most one: a new click
 * supersedes it).
 */
export class Session {
  private metrics: SessionMetrics = EMPTY_METRICS;
  private inFlight: { aborted: boolean } | null = null;
  /** Stored events the restored parameters were not adapted on. */
  private staleBy = 0;
  /** Another tab changed the events while an adaptation was in flight: adapt again after it. */
  private syncPending = false;

  private constructor(
    private model: EngineModel,
    private readonly store: Store,
    private readonly emit: Emit,
    private readonly backend: () => string,
    private state: UserState,
    /** Last saved parameters as plain numbers: survives a lost GPU device. */
    private saved: SavedState | null,
  ) {}

  /** Restores stored adapted parameters (personal at once) or starts from the meta-initialization. */
  static async open(model: EngineModel, store: Store, emit: Emit, backend: () => string): Promise<OpenedSession> {
    const events = await store.events();
    const stored = await store.loadState(model.version);
    // Parameters adapted under another model version live in that model's space:
    // they are deleted, not reused. The events carry the visitor over instead.
    const discardedStates = stored || events.length === 0 ? [] : (await store.exportAll()).states.map((s) => s.version);
    if (discardedStates.length > 0) await store.clearState();
    let state: UserState | null = null;
    let saved: SavedState | null = null;
    const feedback = eventsToFeedback(events, model.index);
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
    state ??= initialState(model.adaptModel, feedback.clicks);
    const session = new Session(model, store, emit, backend, state, saved);
    session.staleBy = events.length - (saved ? stored!.eventCount : 0);
    return {
      session,
      personal: saved !== null || feedback.clicks.length > 0,
      storedEvents: events.length,
      // Items that left the catalog: counted, not an error (the events stay stored).
      ignoredEvents: events.filter((e) => !model.index.has(e.itemId)).length,
      discardedStates,
    };
  }

  /** Top `count` items, best first, skipping `exclude` ids. */
  async recommend(count: number, exclude: readonly string[] = []): Promise<RankedItem[]> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`recommend({ count: ${count} }): count must be a whole number of items ≥ 0.`);
    const skip = Int32Array.from(exclude.map((id) => indexOf(this.model, id)));
    const { indices, scores } = await rank(this.model.adaptModel.items, this.state, count, skip);
    return Array.from(indices, (i, k) => {
      const item = this.model.catalog[i]!;
      return { id: item.id, title: item.title, tags: item.tags, score: scores[k]! };
    });
  }

  /** Stores impressions (shown, not clicked); they act as negatives from the next click on. */
  async impressions(itemIds: readonly string[]): Promise<number> {
    itemIds.forEach((id) => indexOf(this.model, id));
    const time = Date.now();
    await this.store.addEvents(itemIds.map((itemId) => ({ type: 'impression' as const, itemId, time, modelVersion: this.model.version })));
    return itemIds.length;
  }

  /**
   * Stores a click, scores it prequentially (rank before adapting), adapts on
   * all stored events, saves the parameters and pushes the new ranking. A newer
   * click abandons this one's adaptation.
   */
  async click(itemId: string): Promise<ClickResult> {
    const target = indexOf(this.model, itemId);
    if (this.inFlight) this.inFlight.aborted = true;
    const signal = { aborted: false };
    this.inFlight = signal;

    const stored = await this.store.events();
    const before = eventsToFeedback(stored, this.model.index);
    const event = { type: 'click' as const, itemId, time: Date.now(), modelVersion: this.model.version };
    await this.store.addEvents([event]);
    const rankBefore = await this.rankOfItem(target, new Set(before.clicks));
    this.metrics = addClickRank(this.metrics, rankBefore);
    const result = (superseded: boolean): ClickResult => ({ itemId, rank: rankBefore, metrics: this.metrics, superseded });
    if (signal.aborted) return result(true);

    // Read again: clicks stored concurrently (a burst) are not in `stored`, and the adaptation must cover every stored event.
    const all = await this.store.events();
    if (signal.aborted) return result(true);
    const applied = await this.adaptOn(all, signal, 'click');
    return result(!applied);
  }

  /** Stores an explicit rating (1–5) and adapts: high ratings act as clicks, low ones as impressions. */
  async rate(itemId: string, value: number): Promise<{ superseded: boolean }> {
    indexOf(this.model, itemId);
    if (!Number.isFinite(value) || value < 1 || value > 5) throw new Error(`Rating ${value} for "${itemId}" is out of range: use a number from 1 to 5.`);
    if (this.inFlight) this.inFlight.aborted = true;
    const signal = { aborted: false };
    this.inFlight = signal;
    const event = { type: 'rating' as const, itemId, value, time: Date.now(), modelVersion: this.model.version };
    await this.store.addEvents([event]);
    // Read again, as in click(): concurrent events must not be left out.
    const all = await this.store.events();
    if (signal.aborted) return { superseded: true };
    return { superseded: !(await this.adaptOn(all, signal, 'rating')) };
  }

  /**
   * A returning visitor whose stored parameters predate some stored events (the
   * page closed mid-adaptation, or impressions came after the last click):
   * adapt once on everything. Rankings were personal already; this refreshes them.
   */
  async catchUp(): Promise<void> {
    if (this.staleBy <= 0 || this.inFlight) return;
    const signal = { aborted: false };
    this.inFlight = signal;
    await this.adaptOn(await this.store.events(), signal, 'ready');
  }

  /**
   * Another tab changed the stored events: adapt on all of them, so that every
   * tab converges to the same parameters. An adaptation in flight may have read
   * the events too early, so the sync runs after it instead of superseding it.
   */
  async sync(): Promise<void> {
    if (this.inFlight) {
      this.syncPending = true;
      return;
    }
    this.syncPending = false;
    const signal = { aborted: false };
    this.inFlight = signal;
    const events = await this.store.events();
    if (signal.aborted) return;
    if (events.length > 0) {
      await this.adaptOn(events, signal, 'sync');
      return;
    }
    // Another tab reset or forgot: back to the meta-initialization here too.
    this.inFlight = null;
    disposeState(this.state);
    this.state = initialState(this.model.adaptModel, new Int32Array(0));
    this.saved = null;
    this.staleBy = 0;
    await this.pushRanking('sync', new Int32Array(0));
  }

  /** Adapts from the meta-initialization on `events`; true when the result was applied (not superseded). */
  private async adaptOn(events: readonly NewEvent[], signal: { aborted: boolean }, cause: 'click' | 'rating' | 'ready' | 'sync'): Promise<boolean> {
    const feedback = eventsToFeedback(events, this.model.index);
    const start = initialState(this.model.adaptModel, feedback.clicks);
    const backend = this.backend();
    let outcome;
    try {
      outcome = await adapt(this.model.adaptModel, start, feedback, {
        steps: this.model.steps,
        negativeWeight: this.model.negativeWeight,
        signal,
        onStep: (m) => {
          if (!signal.aborted) this.emit('adapt', { ...m, backend, steps: this.model.steps });
        },
      });
    } finally {
      disposeState(start);
    }
    if (outcome.aborted || signal.aborted) {
      disposeState(outcome.state);
      return false;
    }
    if (outcome.rolledBack) {
      // Reported, not thrown: the visitor keeps the last good parameters and the page keeps working.
      const last = outcome.steps.at(-1)?.step ?? 0;
      this.emit('error', {
        name: 'AdaptationRolledBack',
        message: `Adaptation step ${last + 1} gave a non-finite loss; kept the parameters after step ${last}. The model's learning rates may be too large for these events.`,
      });
    }
    disposeState(this.state);
    this.state = outcome.state;
    if (this.inFlight === signal) this.inFlight = null;
    this.staleBy = 0;
    // Both read back from the device; issuing them together lets a GPU backend overlap the waits.
    const [saved] = await Promise.all([serializeState(this.state), this.pushRanking(cause, clickedSet(feedback))]);
    this.saved = saved;
    await this.store.saveState(this.model.version, saved, events.length);
    if (this.syncPending && this.inFlight === null) {
      void this.sync().catch((error: unknown) => this.emit('error', { name: 'SyncFailed', message: `Re-reading events stored by another tab failed: ${(error as Error).message}` }));
    }
    return true;
  }

  /** Back to the meta-initialization: drops stored events and parameters. */
  async reset(): Promise<void> {
    if (this.inFlight) this.inFlight.aborted = true;
    this.inFlight = null;
    await this.store.clearEvents();
    await this.store.clearState();
    disposeState(this.state);
    this.state = initialState(this.model.adaptModel, new Int32Array(0));
    this.saved = null;
    this.staleBy = 0;
    this.metrics = EMPTY_METRICS;
    await this.pushRanking('reset', new Int32Array(0));
  }

  /** Swaps in the same model rebuilt on another backend (lost GPU device), keeping the visitor's parameters. */
  async moveTo(model: EngineModel): Promise<void> {
    if (this.inFlight) this.inFlight.aborted = true;
    this.inFlight = null;
    try {
      disposeState(this.state);
    } catch {
      // Tensors of a lost device may refuse disposal; they are gone either way.
    }
    this.model = model;
    const clicks = eventsToFeedback(await this.store.events(), model.index).clicks;
    this.state = this.saved ? deserializeState(this.saved, model.dim, model.adaptModel, clicks) : initialState(model.adaptModel, clicks);
    await this.pushRanking('fallback', clickedSet({ clicks, negatives: new Int32Array(0) }));
  }

  /** Pushes the current top items (excluding already-clicked ones) as a 'ranking' event. */
  async pushRanking(cause: RankingEvent['cause'], clicked?: Int32Array): Promise<void> {
    const exclude = clicked ?? clickedSet(eventsToFeedback(await this.store.events(), this.model.index));
    const ids = Array.from(exclude, (i) => this.model.catalog[i]!.id);
    const items = await this.recommend(RANKING_SIZE, ids);
    this.emit('ranking', { items, cause, metrics: this.metrics });
  }

  dispose(): void {
    if (this.inFlight) this.inFlight.aborted = true;
    disposeState(this.state);
  }

  private async rankOfItem(target: number, exclude: ReadonlySet<number>): Promise<number> {
    const scores = await scoreAll(this.model.adaptModel.items, this.state);
    const others = [...exclude].filter((i) => i !== target);
    return rankOf(scores, target, exclusionMask(scores.length, others));
  }
}
