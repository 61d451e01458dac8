/**
 * The WebAssembly memories the host kernels allocate (item tables copied in
 * for the SIMD sweeps), weakly held so that reporting them keeps none alive:
 * the worker's memory report adds them to the JS heap, which does not see
 * them (nor does V8's array-buffer count: wasm memory is reserved apart).
 */
const memories = new Set<WeakRef<WebAssembly.Memory>>();

/** Registers a kernel's memory for wasmKernelBytes(); returns it. */
export function trackWasmMemory(memory: WebAssembly.Memory): WebAssembly.Memory {
  memories.add(new WeakRef(memory));
  return memory;
}

/** Bytes of the host kernels' WebAssembly memories still alive (a freed kernel's count once it is collected). */
export function wasmKernelBytes(): number {
  let bytes = 0;
  for (const ref of memories) {
    const memory = ref.deref();
    if (memory) bytes += memory.buffer.byteLength;
    else memories.delete(ref);
  }
  return bytes;
}
