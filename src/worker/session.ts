import { adapt } from '../core/adapt';
import { clickSignals } from '../core/clicks';
import { initialState } from '../core/kernels';
import { deserializeState, disposeState, serializeState, type SavedState } from '../core/state';
import type { UserState } from '../core/types';
import type { NewEvent } from '../storage/schema';
import type { Store } from '../storage/types';
import { ClickTimer } from './click-timings';
import { clickedSet, eventsToFeedback } from './feedback';
import { Flight, type Signal } from './flight';
import type { ClickResult, EventMap, RankedItem, RankingEvent, SessionMetrics } from './messages';
import { addClickRank, EMPTY_METRICS } from './metrics';
import { indexOf, type EngineModel } from './model';
import { prequentialRank, topItems } from './ranking';
import { restore, type Restored } from './restore';

/** Items in each pushed 'ranking' event. */
export const RANKING_SIZE = 20;

export type Emit = <K extends keyof EventMap>(type: K, data: EventMap[K]) => void;

/** A session restored from storage, and what the restore found. */
export type OpenedSession = { readonly session: Session } & Pick<Restored, 'personal' | 'storedEvents' | 'ignoredEvents' | 'discardedStates'>;

/**
 * One visitor on one model: their current adapted parameters, the running
 * prequential metrics, and the adaptation in flight (at most one: a new click
 * supersedes it).
 */
export class Session {
  private metrics: SessionMetrics = EMPTY_METRICS;
  /** The request adapting now (a click, a rating, a sync, a catch-up): a newer one supersedes it. */
  private readonly flight = new Flight();
  /**
   * The parameters' saves, one after the other. A click answers once its
   * ranking is pushed and its save follows: the stored events (written before
   * the adaptation starts) are what a visitor's data is, the saved parameters
   * only spare the next start an adaptation, so a crash before the save loses
   * nothing (the next start adapts on the events, restore's staleBy).
   */
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private model: EngineModel,
    private readonly store: Store,
    private readonly emit: Emit,
    private readonly backend: () => string,
    /** After a failure: waits while the engine moves off a lost device (starting the move if the failure is one). */
    private readonly settle: (error: unknown) => Promise<void>,
    private state: UserState,
    /** Last saved parameters as plain numbers: survives a lost GPU device. */
    private saved: SavedState | null,
    /** Stored events the current parameters were not adapted on. */
    private staleBy: number,
  ) {}

  /** Restores stored adapted parameters (personal at once) or starts from the meta-initialization. */
  static async open(model: EngineModel, store: Store, emit: Emit, backend: () => string, settle: (error: unknown) => Promise<void> = async () => {}): Promise<OpenedSession> {
    const { state, saved, staleBy, ...found } = await restore(model, store, emit);
    return { session: new Session(model, store, emit, backend, settle, state, saved, staleBy), ...found };
  }

  /** Top `count` items, best first, skipping `exclude` ids. */
  recommend(count: number, exclude: readonly string[] = []): Promise<RankedItem[]> {
    return this.onBackend(() => topItems(this.model, this.state, count, exclude));
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
    const timer = new ClickTimer();
    return this.flight.run(async (signal) => {
      const stored = await this.store.events();
      const before = eventsToFeedback(stored, this.model.catalog);
      await this.store.addEvents([{ type: 'click', itemId, time: Date.now(), modelVersion: this.model.version }]);
      let rank: number | null = null;
      // Once, or twice when the device goes mid-click: the click is stored, so the second try (on the
      // backend the engine moved to) ranks and adapts on it as if nothing happened.
      const applied = await this.onBackend(async () => {
        // Read again: clicks stored concurrently (a burst) are not in `stored`, and the adaptation must cover every stored event.
        const all = signal.aborted ? null : await this.store.events();
        timer.lap('events');
        // The rank before adapting, asked for right before the adaptation starts (nothing awaited between):
        // a kernel that counts ranks on the GPU answers both with one read-back. Counted once it is known,
        // whatever becomes of the adaptation (superseded or failed), and only once.
        const counted =
          rank !== null
            ? Promise.resolve(rank)
            : prequentialRank(this.model, this.state, target, before.clicks).then((r) => {
                this.metrics = addClickRank(this.metrics, r);
                return (rank = r);
              });
        // A host kernel has counted the rank by now (synchronously); a GPU kernel counts it inside the adaptation.
        timer.lap('rank');
        const adapted = all && !signal.aborted ? this.adaptOn(all, signal, 'click', counted, timer) : null;
        await counted.catch(async (error: unknown) => {
          await adapted?.catch(() => {});
          throw error;
        });
        return adapted ? await adapted : false;
      });
      return { itemId, rank: rank!, metrics: this.metrics, superseded: !applied, timings: timer.result() };
    });
  }

  /** Stores an explicit rating (1–5) and adapts: high ratings act as clicks, low ones as impressions. */
  async rate(itemId: string, value: number): Promise<{ superseded: boolean }> {
    indexOf(this.model, itemId);
    if (!Number.isFinite(value) || value < 1 || value > 5) throw new Error(`Rating ${value} for "${itemId}" is out of range: use a number from 1 to 5.`);
    return this.flight.run(async (signal) => {
      await this.store.addEvents([{ type: 'rating', itemId, value, time: Date.now(), modelVersion: this.model.version }]);
      // Read again, as in click(): concurrent events must not be left out.
      const all = await this.store.events();
      if (signal.aborted) return { superseded: true };
      return { superseded: !(await this.onBackend(() => this.adaptOn(all, signal, 'rating'))) };
    });
  }

  /**
   * A returning visitor whose stored parameters predate some stored events (the
   * page closed mid-adaptation, or impressions came after the last click):
   * adapt once on everything. Rankings were personal already; this refreshes them.
   */
  async catchUp(): Promise<void> {
    if (this.staleBy <= 0 || this.flight.busy) return;
    await this.flight.run(async (signal) => void (await this.adaptOn(await this.store.events(), signal, 'ready')));
  }

  /**
   * Another tab changed the stored events: adapt on all of them, so that every
   * tab converges to the same parameters. An adaptation in flight may have read
   * the events too early, so the sync runs after it instead of superseding it.
   */
  async sync(): Promise<void> {
    if (this.flight.busy) {
      this.flight.afterwards(() => {
        this.sync().catch((error: unknown) => this.emit('error', { name: 'SyncFailed', message: `Re-reading events stored by another tab failed: ${(error as Error).message}` }));
      });
      return;
    }
    await this.flight.run(async (signal) => {
      const events = await this.store.events();
      if (signal.aborted) return;
      if (events.length > 0) {
        await this.adaptOn(events, signal, 'sync');
        return;
      }
      // Another tab reset or forgot: back to the meta-initialization here too.
      this.restart();
      await this.pushRanking('sync', new Int32Array(0));
    });
  }

  /** Back to the meta-initialization: drops stored events and parameters. */
  async reset(): Promise<void> {
    this.flight.supersede();
    // A save already started would otherwise land after the clear and bring the parameters back.
    await this.flushSaves();
    await this.store.clearEvents();
    await this.store.clearState();
    this.restart();
    this.metrics = EMPTY_METRICS;
    await this.pushRanking('reset', new Int32Array(0));
  }

  /**
   * Swaps in the same model on another backend (lost GPU device), keeping the
   * visitor's parameters. A request in flight is not superseded: it failed
   * with the device, or is about to, and tries again here (onBackend).
   */
  async moveTo(model: EngineModel): Promise<void> {
    try {
      disposeState(this.state);
    } catch {
      // Tensors of a lost device may refuse disposal; they are gone either way.
    }
    this.model = model;
    const clicks = eventsToFeedback(await this.store.events(), model.catalog).clicks;
    this.state = this.saved ? deserializeState(this.saved, model.dim, model.adaptModel, clicks) : initialState(model.adaptModel, clicks, model.kernel);
    await this.pushRanking('fallback', clickedSet({ clicks, negatives: new Int32Array(0) }));
  }

  /** Pushes the current top items (excluding already-clicked ones) as a 'ranking' event. */
  async pushRanking(cause: RankingEvent['cause'], clicked?: Int32Array): Promise<void> {
    const exclude = clicked ?? clickedSet(eventsToFeedback(await this.store.events(), this.model.catalog));
    const ids = Array.from(exclude, (i) => this.model.catalog.id(i));
    const items = await this.recommend(RANKING_SIZE, ids);
    this.emit('ranking', { items, cause, metrics: this.metrics });
  }

  /** Resolves once every save of parameters issued so far is stored (or failed: failures are reported as 'error' events). */
  flushSaves(): Promise<void> {
    return this.saving;
  }

  dispose(): void {
    this.flight.supersede();
    disposeState(this.state);
  }

  /**
   * Runs `work`; if it fails because the backend went away (a lost device),
   * runs it once more on the backend the engine moved to.
   */
  private async onBackend<T>(work: () => Promise<T>): Promise<T> {
    const model = this.model;
    try {
      return await work();
    } catch (error) {
      await this.settle(error);
      if (this.model === model) throw error;
      return work();
    }
  }

  /** Back to the meta-initialization's parameters, forgetting saved ones. */
  private restart(): void {
    disposeState(this.state);
    this.state = initialState(this.model.adaptModel, new Int32Array(0), this.model.kernel);
    this.saved = null;
    this.staleBy = 0;
  }

  /**
   * Adapts from the meta-initialization on `events`; true when the result was applied (not superseded).
   * `counted`: a click's rank before adapting, settled into the metrics before the new ranking carries them.
   */
  private async adaptOn(events: readonly NewEvent[], signal: Signal, cause: 'click' | 'rating' | 'ready' | 'sync', counted?: Promise<unknown>, timer?: ClickTimer): Promise<boolean> {
    const feedback = eventsToFeedback(events, this.model.catalog);
    const { kernel, adaptModel } = this.model;
    // Once for the start and the steps (sparse rows: a few entries per click, however large the catalog).
    const signals = clickSignals(adaptModel, feedback.clicks, feedback.clickWeights, adaptModel.decay);
    const start = initialState(adaptModel, feedback.clicks, kernel, feedback.clickWeights, signals);
    timer?.lap('start');
    const backend = this.backend();
    let outcome;
    try {
      outcome = await adapt(adaptModel, start, feedback, {
        signals,
        steps: this.model.steps,
        negativeWeight: this.model.negativeWeight,
        signal,
        ...(kernel ? { kernel } : {}),
        onStep: (m) => {
          if (!signal.aborted) this.emit('adapt', { ...m, backend, steps: this.model.steps });
        },
      });
    } finally {
      disposeState(start);
    }
    await counted;
    timer?.lap('adapt');
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
    this.staleBy = 0;
    // Both read back from the device; issuing them together lets a GPU backend overlap the waits.
    const [saved] = await Promise.all([serializeState(this.state), this.pushRanking(cause, clickedSet(feedback))]);
    timer?.lap('ranking');
    this.saved = saved;
    this.persist(saved, events.length, signal);
    return true;
  }

  /**
   * Queues the save of `saved` (adapted on `eventCount` stored events) behind
   * the earlier ones, so saves land in the order the adaptations finished. A
   * save not yet started when its request is superseded (a reset, a newer
   * click) is skipped: the newer request saves, or clears, after it.
   */
  private persist(saved: SavedState, eventCount: number, signal: Signal): void {
    const version = this.model.version;
    this.saving = this.saving.then(async () => {
      if (signal.aborted) return;
      try {
        await this.store.saveState(version, saved, eventCount);
      } catch (error) {
        this.emit('error', { name: 'SaveFailed', message: `Saving the adapted parameters failed (the stored events are intact; the next start adapts on them): ${(error as Error).message}` });
      }
    });
  }
}
