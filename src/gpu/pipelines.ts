/**
 * The click's compute pipelines for one resident table, sharing one explicit
 * pipeline layout (wgsl/common.ts bindings): sweep (start or step, then a
 * catalog sweep), select-local and, where it takes more than one workgroup,
 * select-merge (the top k).
 */

import type { GpuContext } from './device';
import { type ShaderConfig } from './wgsl/common';
import { selectLocalShader, selectMergeShader } from './wgsl/select';
import { sweepShader } from './wgsl/sweep';

export interface ClickPipelines {
  readonly sweep: GPUComputePipeline;
  readonly selectLocal: GPUComputePipeline;
  /** Null where one select-local workgroup covers the catalog and writes the result itself. */
  readonly selectMerge: GPUComputePipeline | null;
  /** Group 0: the table, the click's input and the workspace. */
  readonly tableLayout: GPUBindGroupLayout;
  /** Group 1: the dispatch index (uniform with a dynamic offset). */
  readonly dispatchLayout: GPUBindGroupLayout;
}

/** Compiles the three pipelines; throws with the compiler's messages when a shader does not compile. */
export async function createPipelines(gpu: GpuContext, config: ShaderConfig, selectChunk: number): Promise<ClickPipelines> {
  const { device } = gpu;
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const tableLayout = device.createBindGroupLayout({
    label: 'localrec click: table, input, workspace',
    entries: [
      storage(0, 'read-only-storage'),
      storage(1, 'read-only-storage'),
      storage(2, 'read-only-storage'),
      storage(3, 'read-only-storage'),
      storage(4, 'read-only-storage'),
      storage(5, 'storage'),
      storage(6, 'storage'),
    ],
  });
  const dispatchLayout = device.createBindGroupLayout({
    label: 'localrec click: dispatch index',
    entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 16 } }],
  });
  const layout = device.createPipelineLayout({ label: 'localrec click', bindGroupLayouts: [tableLayout, dispatchLayout] });
  const compile = async (label: string, code: string): Promise<GPUComputePipeline> => {
    const module = device.createShaderModule({ label, code });
    const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new Error(`WGSL of "${label}" does not compile: ${errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('; ')}`);
    }
    return device.createComputePipelineAsync({ label, layout, compute: { module, entryPoint: 'main' } });
  };
  const single = config.selectGroups === 1;
  const [sweep, selectLocal, selectMerge] = await Promise.all([
    compile('localrec sweep', sweepShader(config)),
    compile('localrec select-local', selectLocalShader(config, selectChunk, single)),
    single ? null : compile('localrec select-merge', selectMergeShader(config)),
  ]);
  return { sweep, selectLocal, selectMerge, tableLayout, dispatchLayout };
}
