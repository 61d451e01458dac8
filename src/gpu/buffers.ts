/**
 * Every GPU buffer localrec creates goes through a ledger, so GPU memory is
 * counted (WebGPU has no query for it): buffers and bytes created, destroyed
 * and live. Tests read it to show memory stays flat over many clicks.
 */

/** Counts of one ledger. */
export interface BufferCounts {
  readonly created: number;
  readonly destroyed: number;
  readonly live: number;
  readonly liveBytes: number;
}

export class BufferLedger {
  private created = 0;
  private destroyed = 0;
  private readonly sizes = new Map<GPUBuffer, number>();

  constructor(private readonly device: GPUDevice) {}

  /** device.createBuffer, counted. */
  create(descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = this.device.createBuffer(descriptor);
    this.created++;
    this.sizes.set(buffer, descriptor.size);
    return buffer;
  }

  /** buffer.destroy(), counted; a buffer this ledger does not hold is left alone. */
  destroy(buffer: GPUBuffer): void {
    if (!this.sizes.delete(buffer)) return;
    buffer.destroy();
    this.destroyed++;
  }

  counts(): BufferCounts {
    let liveBytes = 0;
    for (const size of this.sizes.values()) liveBytes += size;
    return { created: this.created, destroyed: this.destroyed, live: this.sizes.size, liveBytes };
  }
}
