// The WebGPU click path: hand-written WGSL for a whole click (start, steps,
// losses, rollback, top k) against an item table resident on the GPU.
export { acquireGpu, releaseGpu, GpuDeviceLostError, type GpuContext, type GpuLoss } from './device';
export { createClickKernel } from './click-kernel';
export type { AdaptConstants, ClickInput, ClickModel, ClickRequest, GpuClickExtras, GpuClickKernel, GpuClickModel, GpuClickOptions, GpuClickResult, GpuState, OffsetRows, RankCount } from './click-types';
export { clickInput, clickShares, listRow, offsetEntries } from './click-input';
export { checkTable, dequantizeRows, dequantizeTable, quantizeRows, quantizeTable, type FloatTable, type GpuItemTable, type Int8Rows, type QuantizedTable } from './table';
export { adaptConstantsOf, clickModelOf, fixedLists, floatTableOf, type SequentialModel } from './model-input';
export type { BufferCounts } from './buffers';
export { wgslKernel, type WgslKernel, type WgslKernelOptions } from './adapt-kernel';
export { MAX_K, MAX_STEPS } from './work-layout';
