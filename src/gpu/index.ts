// The WebGPU click path: hand-written WGSL for a whole click (start, steps,
// losses, rollback, top k) against an item table resident on the GPU.
export { acquireGpu, releaseGpu, GpuDeviceLostError, type GpuContext, type GpuLoss } from './device';
export { createClickKernel, type GpuClickKernel, type GpuClickModel, type GpuClickOptions, type GpuClickResult, type GpuClickTiming } from './click-kernel';
export { clickInput, neighbourEntries, offsetEntries, type AdaptConstants, type ClickInput, type ClickModel, type ClickRequest, type GpuState, type SparseRow } from './click-input';
export { checkTable, dequantizeTable, quantizeTable, type FloatTable, type GpuItemTable, type QuantizedTable } from './table';
export { adaptConstantsOf, clickModelOf, floatTableOf } from './model-input';
export type { BufferCounts } from './buffers';
export { MAX_K, MAX_STEPS } from './work-layout';
