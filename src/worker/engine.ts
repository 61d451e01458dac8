import { activeBackend, ANY_BACKEND, fallback, SELECTION_BUDGET_MS, selectBackend, watchDeviceLost, type BackendName, type ModelBackends } from '../backend';
import { adapt } from '../core/adapt';
import { initialState, rank } from '../core/kernels';
import { disposeState } from '../core/state';
import { openResilientStore, type Store } from '../storage';
import { loadArtifact, type ManifestReader } from './artifact-cache';
import type { InitParams, ReadyInfo } from './messages';
import type { EngineModel } from './model';
import { Session, type Emit } from './session';
import { watchTabs } from './tabs';

/** How to read and build models: the artifact module's functions, injected so the engine stays testable. */
export interface ModelLoader extends ManifestReader {
  build(files: Record<string, ArrayBuffer>): Promise<EngineModel>;
  /** The backends the artifact's model can run on (all, unless it says otherwise). */
  backends?(files: Record<string, ArrayBuffer>): ModelBackends;
}

/** What Engine.start needs: the page's init parameters with the database name settled. */
export type EngineParams = InitParams & { readonly dbName: string };

/**
 * The model built on the active backend. Tensors are rebuilt per backend from
 * the verified bytes rather than moved: tfjs moves data with a synchronous
 * read, which WebGPU cannot do correctly.
 */
class ModelCache {
  private built: { backend: string; model: EngineModel } | null = null;

  constructor(
    private readonly loader: ModelLoader,
    private readonly files: Record<string, ArrayBuffer>,
  ) {}

  /** The model on the active backend, built on first use there (the previous one is disposed). */
  async here(): Promise<EngineModel> {
    const backend = activeBackend();
    if (this.built?.backend === backend) return this.built.model;
    this.built?.model.dispose();
    this.built = null;
    this.built = { backend, model: await this.loader.build(this.files) };
    return this.built.model;
  }

  /** Forgets the current model without disposing it (a lost device's tensors may refuse; the caller tries). */
  release(): void {
    this.built = null;
  }

  dispose(): void {
    this.built?.model.dispose();
    this.built = null;
  }
}

/**
 * Everything the worker runs: storage, the verified artifact, the backend, the
 * model built on it, and the visitor's session.
 */
export class Engine {
  private stopWatching: () => void = () => {};
  private closeTabs: () => void = () => {};

  private constructor(
    readonly store: Store,
    readonly session: Session,
    private model: EngineModel,
    private backend: BackendName,
    private readonly models: ModelCache,
    private readonly budgetMs: number,
    private readonly backends: ModelBackends,
    private readonly emit: Emit,
  ) {}

  static async start(params: EngineParams, emit: Emit, loader: ModelLoader): Promise<{ engine: Engine; info: ReadyInfo }> {
    // Other tabs of the site store events in the same database: re-read and adapt on theirs too.
    let announce = () => {};
    let synced: Session | null = null;
    const resync = () => {
      synced?.sync().catch((error: unknown) => emit('error', { name: 'SyncFailed', message: `Adapting on another tab's events failed: ${(error as Error).message}` }));
    };
    const store = await openResilientStore(params.dbName, {
      onNotice: (notice) => emit('storage', notice),
      onEventsChanged: () => announce(),
      onDeleted: resync,
      // Without BroadcastChannel other tabs' writes go unannounced: read IndexedDB every time.
      mirrorEvents: typeof BroadcastChannel !== 'undefined',
    });
    const tabs = watchTabs(params.dbName, () => {
      store.invalidate();
      resync();
    });
    announce = () => tabs.announce();
    let models: ModelCache | null = null;
    try {
      const artifact = await loadArtifact(store, params.modelUrl, loader, (p) => emit('progress', p), undefined, params.downloadTimeoutMs);
      if (artifact.warning) emit('error', { name: 'ModelUpdateFailed', message: artifact.warning });
      const cache = (models = new ModelCache(loader, artifact.files));
      const budgetMs = params.budgetMs ?? SELECTION_BUDGET_MS;
      const backends = loader.backends?.(artifact.files) ?? ANY_BACKEND;
      const choice = await selectBackend(params.backend, async () => probe(await cache.here()), budgetMs, backends);
      const model = await cache.here();
      const opened = await Session.open(model, store, emit, activeBackend);
      const engine = new Engine(store, opened.session, model, choice.backend, cache, budgetMs, backends, emit);
      engine.watch();
      engine.closeTabs = () => tabs.close();
      synced = opened.session;
      await opened.session.pushRanking('ready');
      // Refresh stale stored parameters in the background; ready does not wait for it.
      void opened.session.catchUp().catch((error: unknown) => emit('error', { name: 'CatchUpFailed', message: (error as Error).message }));
      const info: ReadyInfo = {
        modelVersion: model.version,
        algorithm: model.algorithm,
        items: model.catalog.length,
        backend: choice.backend,
        timings: choice.timings,
        reason: choice.reason,
        fromCache: artifact.fromCache,
        personal: opened.personal,
        storedEvents: opened.storedEvents,
        ignoredEvents: opened.ignoredEvents,
        discardedStates: opened.discardedStates,
        steps: model.steps,
        storage: store.mode,
      };
      return { engine, info };
    } catch (error) {
      (models as ModelCache | null)?.dispose();
      store.close();
      tabs.close();
      throw error;
    }
  }

  /**
   * Moves to the fastest other backend (a lost WebGPU device), timed with the
   * same probe as `auto`, without losing the visitor's parameters.
   */
  async fallBack(reason: string): Promise<BackendName> {
    const from = this.backend;
    this.stopWatching();
    const old = this.model;
    this.models.release();
    const choice = await fallback(from, async () => probe(await this.models.here()), this.budgetMs, this.backends);
    this.model = await this.models.here();
    this.backend = choice.backend;
    try {
      old.dispose();
    } catch {
      // A lost device's buffers may refuse release; they are gone anyway.
    }
    await this.session.moveTo(this.model);
    this.watch();
    this.emit('backend', { from, to: choice.backend, reason: `${reason.replace(/\.$/, '')}. ${choice.reason}`, timings: choice.timings });
    return choice.backend;
  }

  get backendName(): BackendName {
    return this.backend;
  }

  close(): void {
    this.stopWatching();
    this.closeTabs();
    this.session.dispose();
    this.models.dispose();
    this.store.close();
  }

  private watch(): void {
    this.stopWatching = watchDeviceLost((message) => {
      this.fallBack(`WebGPU device lost: ${message}`).catch((error: unknown) =>
        this.emit('error', { name: 'BackendLost', message: `WebGPU device lost and no fallback worked: ${(error as Error).message}` }),
      );
    });
  }
}

/** One real adaptation + ranking, as a click costs: what backend selection times. */
async function probe(model: EngineModel): Promise<void> {
  const n = model.catalog.length;
  const clicks = Int32Array.from([0, 1, 2].map((i) => i % n));
  const start = initialState(model.adaptModel, clicks);
  const out = await adapt(model.adaptModel, start, { clicks, negatives: Int32Array.of(3 % n) }, {
    steps: model.steps,
    negativeWeight: model.negativeWeight,
  });
  await rank(model.adaptModel.items, out.state, 10);
  disposeState(start);
  disposeState(out.state);
}
