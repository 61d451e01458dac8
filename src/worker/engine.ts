import { activeBackend, fallback, loseDeviceForTesting, SELECTION_BUDGET_MS, selectBackend, watchDeviceLost, type BackendName, type ModelBackends } from '../backend';
import { openResilientStore, type Store } from '../storage';
import { loadArtifact, type ManifestReader } from './artifact-cache';
import { backendPaths, kernelName, probe, runningModel } from './click-path';
import type { GpuCounts, InitParams, ReadyInfo } from './messages';
import type { EngineModel } from './model';
import { RANKING_SIZE, Session, type Emit } from './session';
import { watchTabs } from './tabs';
import { chooseWithMemory } from './remembered-backend';
import { Stopwatch } from './startup';
import { WgslPath } from './wgsl-path';

/** How to read and build models: the artifact module's functions, injected so the engine stays testable. */
export interface ModelLoader extends ManifestReader {
  /**
   * Checks and decodes, once, what the model needs whatever the backend;
   * `verified`: every file's SHA-256 was checked already (a fresh download,
   * or a cache record that says so). The result need not keep `files`.
   */
  prepare(files: Record<string, ArrayBuffer>, verified: boolean): Promise<PreparedModel>;
}

/** A checked artifact, ready to be built on any backend it can run on. */
export interface PreparedModel {
  /** The backends the model can run on, and the order `auto` tries them in. */
  readonly backends: ModelBackends;
  /** The model on the active tfjs backend. */
  build(): Promise<EngineModel>;
  /** Frees what is held for every backend (the sweep's helper threads); the model is not built again after. */
  dispose?(): void;
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
  /** Time spent building, ms (the start reports it apart from the backend probes that trigger it). */
  buildMs = 0;

  constructor(private readonly prepared: PreparedModel) {}

  /** The model on the active backend, built on first use there (the previous one is disposed). */
  async here(): Promise<EngineModel> {
    const backend = activeBackend();
    if (this.built?.backend === backend) return this.built.model;
    this.built?.model.dispose();
    this.built = null;
    const t0 = performance.now();
    this.built = { backend, model: await this.prepared.build() };
    this.buildMs += performance.now() - t0;
    return this.built.model;
  }

  /** Forgets the current model without disposing it (a lost device's tensors may refuse; the caller tries). */
  release(): void {
    this.built = null;
  }

  dispose(): void {
    this.built?.model.dispose();
    this.built = null;
    this.prepared.dispose?.();
  }
}

/**
 * The artifact to run, checked and decoded once. Its file bytes stay in this
 * function: a variable of Engine.start that a closure captured would keep
 * every shard alive for the whole session (V8 keeps a scope's captured
 * variables together), where a v2 model needs none of them once decoded.
 */
async function loadPrepared(store: Store, params: EngineParams, loader: ModelLoader, emit: Emit, clock: Stopwatch) {
  const { files, verified, ...artifact } = await loadArtifact(store, params.modelUrl, loader, (p) => emit('progress', p), undefined, params.downloadTimeoutMs, (phase) => clock.lap(phase));
  if (artifact.warning) emit('error', { name: 'ModelUpdateFailed', message: artifact.warning });
  const prepared = await loader.prepare(files, verified);
  clock.lap('decode');
  return { artifact, prepared };
}

/**
 * Everything the worker runs: storage, the verified artifact, the backend, the
 * model built on it, and the visitor's session.
 */
export class Engine {
  private stopWatching: () => void = () => {};
  private closeTabs: () => void = () => {};
  /** The move off a lost device, while it runs. */
  private moving: Promise<BackendName> | null = null;

  private constructor(
    readonly store: Store,
    readonly session: Session,
    private model: EngineModel,
    private backend: BackendName,
    private readonly models: ModelCache,
    private readonly wgsl: WgslPath,
    private readonly budgetMs: number,
    private readonly backends: ModelBackends,
    private readonly emit: Emit,
  ) {}

  static async start(params: EngineParams, emit: Emit, loader: ModelLoader): Promise<{ engine: Engine; info: ReadyInfo }> {
    const clock = new Stopwatch();
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
    clock.lap('storage');
    const tabs = watchTabs(params.dbName, () => {
      store.invalidate();
      resync();
    });
    announce = () => tabs.announce();
    let models: ModelCache | null = null;
    const wgsl = new WgslPath(RANKING_SIZE);
    try {
      const { artifact, prepared } = await loadPrepared(store, params, loader, emit, clock);
      const cache = (models = new ModelCache(prepared));
      const budgetMs = params.budgetMs ?? SELECTION_BUDGET_MS;
      const backends = prepared.backends;
      let items = 0;
      const running = async () => {
        const model = await runningModel(cache, wgsl);
        items = model.catalog.length;
        return model;
      };
      const choice = await chooseWithMemory({
        preference: params.backend,
        remembered: artifact.backend,
        backends,
        select: (preference) => selectBackend(preference, async () => probe(await running()), budgetMs, backendPaths(wgsl, () => items), backends),
        remember: (choice) => void store.rememberBackend(artifact.version, choice).catch(() => {}),
      });
      const model = await running();
      clock.lap('backend');
      clock.move('build', cache.buildMs, 'backend');
      let engine: Engine | null = null;
      const opened = await Session.open(model, store, emit, () => engine?.backend ?? choice.backend, (error) => engine?.settle(error) ?? Promise.resolve());
      clock.lap('restore');
      engine = new Engine(store, opened.session, model, choice.backend, cache, wgsl, budgetMs, backends, emit);
      engine.watch();
      engine.closeTabs = () => tabs.close();
      synced = opened.session;
      await opened.session.pushRanking('ready');
      clock.lap('ranking');
      // Refresh stale stored parameters in the background; ready does not wait for it.
      void opened.session.catchUp().catch((error: unknown) => emit('error', { name: 'CatchUpFailed', message: (error as Error).message }));
      const info: ReadyInfo = {
        modelVersion: model.version,
        algorithm: model.algorithm,
        items: model.catalog.length,
        backend: choice.backend,
        kernel: kernelName(model),
        timings: choice.timings,
        reason: choice.reason,
        fromCache: artifact.fromCache,
        personal: opened.personal,
        storedEvents: opened.storedEvents,
        ignoredEvents: opened.ignoredEvents,
        discardedStates: opened.discardedStates,
        steps: model.steps,
        storage: store.mode,
        startup: clock.result(),
      };
      return { engine, info };
    } catch (error) {
      wgsl.deactivate();
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
    // tfjs's webgpu tensors went with the device; the WGSL path's live in host memory and stay (ModelCache
    // rebuilds them only if the next backend differs from the one they are on).
    const lostTensors = !this.wgsl.active;
    if (lostTensors) this.models.release();
    this.wgsl.deactivate();
    const items = this.model.catalog.length;
    const choice = await fallback(from, async () => probe(await runningModel(this.models, this.wgsl)), this.budgetMs, backendPaths(this.wgsl, () => items), this.backends);
    this.model = await runningModel(this.models, this.wgsl);
    this.backend = choice.backend;
    if (lostTensors) {
      try {
        old.dispose();
      } catch {
        // A lost device's buffers may refuse release; they are gone anyway.
      }
    }
    await this.session.moveTo(this.model);
    this.watch();
    this.emit('backend', { from, to: choice.backend, kernel: kernelName(this.model), reason: `${reason.replace(/\.$/, '')}. ${choice.reason}`, timings: choice.timings });
    return choice.backend;
  }

  /**
   * After a request failed: waits while the engine moves off a lost device,
   * and starts that move when the failure is the WGSL path's device loss that
   * the device.lost watch has not reported yet (a click can see it first).
   */
  async settle(error: unknown): Promise<void> {
    if (!this.moving && this.wgsl.active && (error as Error | null)?.name === 'GpuDeviceLost') this.moveOff(`WebGPU device lost: ${(error as Error).message}`);
    await this.moving?.catch(() => {});
  }

  /** Falls back once per loss, however many watchers and requests notice it. */
  private moveOff(reason: string): Promise<BackendName> {
    this.moving ??= this.fallBack(reason).finally(() => (this.moving = null));
    return this.moving;
  }

  get backendName(): BackendName {
    return this.backend;
  }

  /** Threads a catalog sweep of the host kernel runs on (1 + its helper threads ready; 1 for a float table). */
  get sweepThreads(): number {
    const items = this.model.adaptModel.items;
    return 'format' in items && items.format === 'int8' ? items.kernel.threads : 1;
  }

  /** GPU buffers and submissions of the WGSL path, when it runs the clicks (diagnostics). */
  gpuCounts(): Promise<GpuCounts | null> {
    return this.wgsl.counts();
  }

  /** Destroys the active WebGPU device (the WGSL path's, or tfjs's), as a driver reset would; `midClick`: see WgslPath. */
  loseDevice(options: { readonly midClick?: boolean } = {}): void {
    if (this.wgsl.active) this.wgsl.loseDeviceForTesting(options);
    else if (options.midClick) throw new Error(`loseDevice({ midClick: true }) needs the WGSL path (backend "webgpu"), but "${this.backend}" is active.`);
    else loseDeviceForTesting();
  }

  close(): void {
    this.stopWatching();
    this.closeTabs();
    this.session.dispose();
    this.wgsl.deactivate();
    this.models.dispose();
    this.store.close();
  }

  private watch(): void {
    const onLost = (message: string) => {
      this.moveOff(`WebGPU device lost: ${message}`).catch((error: unknown) =>
        this.emit('error', { name: 'BackendLost', message: `WebGPU device lost and no fallback worked: ${(error as Error).message}` }),
      );
    };
    this.stopWatching = this.wgsl.active ? this.wgsl.watch(onLost) : watchDeviceLost(onLost);
  }
}
