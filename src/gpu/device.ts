/**
 * The one module that owns localrec's GPUDevice: a device the caller already
 * holds (tfjs's webgpu backend's, from backend/webgpuBackendDevice: shared,
 * never destroyed here), else one requested from the adapter. It watches the device's loss and
 * turns it into a GpuDeviceLostError, so a caller can fall back instead of
 * waiting on a read-back that will never come.
 */

import { BufferLedger } from './buffers';

/** Why a device was lost (GPUDeviceLostInfo as plain data). */
export interface GpuLoss {
  readonly reason: string;
  readonly message: string;
}

/** Thrown by GPU work on a lost device: fall back to another backend, or acquire a new device and rebuild. */
export class GpuDeviceLostError extends Error {
  override readonly name = 'GpuDeviceLost';
  constructor(readonly loss: GpuLoss) {
    super(`The WebGPU device was lost (${loss.reason}: ${loss.message || 'no message'}): fall back to another backend, or acquire a new device and upload the table again.`);
  }
}

/** A device and what localrec tracks about it. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** True when the device is tfjs's (webgpu backend): releaseGpu leaves it alive. */
  readonly shared: boolean;
  /** Adapter as "vendor architecture" (e.g. "google swiftshader"). */
  readonly adapter: string;
  /** True for adapters that run compute on the CPU (SwiftShader and the like): fewer, larger workgroups pay there. */
  readonly software: boolean;
  /** Every buffer localrec makes on this device. */
  readonly ledger: BufferLedger;
  /** Resolves once the device is lost. */
  readonly lost: Promise<GpuLoss>;
  /** The loss, once it happened; null before. */
  loss(): GpuLoss | null;
  /** The oldest validation error the device reported outside any error scope since the last call (a kernel bug), or null. */
  takeError(): string | null;
}

const contexts = new Map<GPUDevice, GpuContext>();

/**
 * The device to run GPU kernels on: `shared` when given (tfjs's, so both work
 * on one device), else localrec's own (requested once, with the adapter's
 * buffer-size limits so that large tables fit). Throws an Error saying why
 * when there is none.
 */
export async function acquireGpu(shared: GPUDevice | null = null): Promise<GpuContext> {
  if (shared) return contexts.get(shared) ?? track(shared, true, shared.adapterInfo);
  for (const context of contexts.values()) if (!context.shared && !context.loss()) return context;
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) throw new Error('No WebGPU in this browser (navigator.gpu is undefined; Chromium on Linux needs --enable-unsafe-webgpu).');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter (navigator.gpu.requestAdapter() returned null): the GPU is blocklisted or disabled.');
  const device = await adapter.requestDevice({
    // Per-dispatch GPU times for the benchmark (GpuClickOptions.timestamps), where the adapter has them.
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return track(device, false, adapter.info);
}

/** Destroys localrec's own device (a shared tfjs device stays); kernels on it stop working. */
export function releaseGpu(context: GpuContext): void {
  contexts.delete(context.device);
  if (!context.shared) context.device.destroy();
}

function track(device: GPUDevice, shared: boolean, info: GPUAdapterInfo | undefined): GpuContext {
  let loss: GpuLoss | null = null;
  const errors: string[] = [];
  const lost = device.lost.then((i) => {
    loss = { reason: i.reason ?? 'unknown', message: i.message };
    contexts.delete(device);
    return loss;
  });
  device.addEventListener('uncapturederror', (event) => {
    if (errors.length < 16) errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  const label = `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.trim() || 'unknown adapter';
  const context: GpuContext = {
    device,
    shared,
    adapter: label,
    software: /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${label} ${info?.description ?? ''}`),
    ledger: new BufferLedger(device),
    lost,
    loss: () => loss,
    takeError: () => errors.shift() ?? null,
  };
  contexts.set(device, context);
  return context;
}
