/**
 * The engine's "webgpu" backend: clicks and rankings on src/gpu's WGSL kernel,
 * with the model's item table uploaded once to a device of localrec's own.
 * tfjs meanwhile runs on a host backend (wasm, else cpu): the parameters and
 * the visitor's state are small tensors in host memory, the kernel reads
 * them without a GPU read-back, and a lost device takes only the kernel with
 * it (the state survives; the host kernel takes over on the same tensors).
 */

import { activeBackend, type BackendName } from '../backend';
import { acquireGpu, clickModelOf, createClickKernel, releaseGpu, wgslKernel, type GpuContext, type WgslKernel } from '../gpu';
import type { AdaptModel } from '../core/types';
import type { GpuCounts } from './messages';

/** tfjs backends whose tensors live in host memory, in the order the WGSL path tries them. */
const HOST_BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

export class WgslPath {
  private gpu: GpuContext | null = null;
  private kernel: { readonly model: AdaptModel; readonly kernel: Promise<WgslKernel> } | null = null;
  private on = false;
  /** Set by loseDeviceForTesting({ midClick }): the next submission destroys the device behind it. */
  private armed = false;

  /** Items each click ranks ahead (the worker's pushed ranking). */
  constructor(private readonly rankAhead: number) {}

  /** True while "webgpu" is the engine's backend. */
  get active(): boolean {
    return this.on;
  }

  /** Makes the path active: a host tfjs backend and a device (throws saying why there is none). */
  async activate(tfjs: (name: BackendName) => Promise<void>): Promise<void> {
    // A host backend already active stays (auto timed it just before: for an int8 model that is cpu,
    // whose tensors cost no WebAssembly heap); else wasm first. If the device is lost, its host kernel
    // takes over on the same tensors.
    if (!HOST_BACKENDS.includes(activeBackend() as BackendName)) {
      const problems: string[] = [];
      for (const name of HOST_BACKENDS) {
        try {
          await tfjs(name);
          break;
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      if (problems.length === HOST_BACKENDS.length && !HOST_BACKENDS.includes(activeBackend() as BackendName)) throw new Error(`Backend "webgpu" is not available: its WGSL kernel keeps tfjs on wasm or cpu, and neither works (${problems.join(' ')})`);
    }
    try {
      this.gpu ??= await acquireGpu();
    } catch (error) {
      const why = (error as Error).message;
      throw new Error(`Backend "webgpu" is not available: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
    }
    this.on = true;
  }

  /** Leaves the path: the kernel and the device are freed (another backend runs the clicks). */
  deactivate(): void {
    this.on = false;
    this.dropKernel();
    if (this.gpu) {
      const gpu = this.gpu;
      this.gpu = null;
      try {
        releaseGpu(gpu);
      } catch {
        // A lost device may refuse; it is gone either way.
      }
    }
  }

  /** The WGSL kernel of `model` (built on first use: the table uploaded, the pipelines compiled). */
  kernelFor(model: AdaptModel): Promise<WgslKernel> {
    if (!this.on || !this.gpu) throw new Error('The WGSL path is not active: activate it (backend "webgpu") first.');
    if (this.kernel?.model !== model) {
      this.dropKernel();
      const gpu = this.gpu;
      const kernel = (async () => {
        const input = await clickModelOf(model, { context: false });
        return wgslKernel(await createClickKernel(gpu, input), model, input.constants!, { rankAhead: this.rankAhead, afterSubmit: () => this.fire(gpu) });
      })();
      this.kernel = { model, kernel };
    }
    return this.kernel.kernel;
  }

  /** Calls `onLost` once if the device is lost while the path is active; returns a function that stops watching. */
  watch(onLost: (message: string) => void): () => void {
    const gpu = this.gpu;
    if (!this.on || !gpu) return () => {};
    let watching = true;
    void gpu.lost.then((loss) => {
      if (watching && this.gpu === gpu) onLost(`${loss.reason}${loss.message ? `: ${loss.message}` : ''}`);
    });
    return () => {
      watching = false;
    };
  }

  /**
   * Destroys the device, as a driver reset would (tests and the debug panel);
   * `midClick`: right after the next submission instead, with its read-back pending.
   */
  loseDeviceForTesting(options: { readonly midClick?: boolean } = {}): void {
    if (!this.gpu) throw new Error('loseDevice needs the "webgpu" backend, which is not active.');
    if (options.midClick) this.armed = true;
    else this.gpu.device.destroy();
  }

  private fire(gpu: GpuContext): void {
    if (!this.armed) return;
    this.armed = false;
    gpu.device.destroy();
  }

  /** GPU buffers and the current kernel's submissions, or null when the path is not active. */
  async counts(): Promise<GpuCounts | null> {
    if (!this.on || !this.gpu) return null;
    const ledger = this.gpu.ledger.counts();
    const kernel = this.kernel ? await this.kernel.kernel.catch(() => null) : null;
    const totals = kernel?.gpu.counters() ?? { clicks: 0, dispatches: 0, readbacks: 0 };
    return { adapter: this.gpu.adapter, buffers: ledger.live, bytes: ledger.liveBytes, created: ledger.created, submissions: totals.clicks, dispatches: totals.dispatches, readbacks: totals.readbacks };
  }

  private dropKernel(): void {
    const old = this.kernel;
    this.kernel = null;
    void old?.kernel.then((k) => k.dispose()).catch(() => {});
  }
}
