/**
 * Just enough of the WebAssembly binary format to assemble simd-kernel.ts's
 * functions: opcodes of the core spec and of 128-bit SIMD, LEB128 numbers and
 * the sections of a module that imports its memory and exports functions.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

const f32Bytes = (value: number): number[] => Array.from(new Uint8Array(Float32Array.of(value).buffer));

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (i: number) => [0x20, i],
  set: (i: number) => [0x21, i],
  tee: (i: number) => [0x22, i],
  i32: (v: number) => [0x41, ...sleb(v)],
  f32: (v: number) => [0x43, ...f32Bytes(v)],
  add: [0x6a],
  shl: [0x74],
  geU: [0x4f],
  ltU: [0x49],
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Max: [0x97],
  vLoad: [0xfd, 0x00, 4, 0],
  vStore: [0xfd, 0x0b, 4, 0],
  /** A v128 constant of four equal floats. */
  f32x4: (v: number) => [0xfd, 0x0c, ...f32Bytes(v), ...f32Bytes(v), ...f32Bytes(v), ...f32Bytes(v)],
  splat: [0xfd, 0x13],
  lane: (l: number) => [0xfd, 0x1f, l],
  vAdd: [0xfd, 0xe4, 0x01],
  vSub: [0xfd, 0xe5, 0x01],
  vMul: [0xfd, 0xe6, 0x01],
  vMax: [0xfd, 0xe9, 0x01],
  vNearest: [0xfd, 0x6a],
  /** f32x4 → i32x4, truncating (saturating). */
  vToInt: [0xfd, 0xf8, 0x01],
  iAdd: [0xfd, 0xae, 0x01],
  iShl: [0xfd, 0xab, 0x01],
  iSplat: [0xfd, 0x11],
  // For the int8 kernels (int8-simd.ts):
  i32Mul: [0x6c],
  /** f32 ← i32 (signed). */
  f32FromInt: [0xb2],
  /** Eight int8 at an address, sign-extended to i16x8 (alignment hint 1 byte: rows need not be aligned). */
  vLoad8x8: [0xfd, 0x01, 0, 0],
  /** Σ of adjacent i16 products into i32x4. */
  iDot16: [0xfd, 0xba, 0x01],
  iLane: (l: number) => [0xfd, 0x1b, l],
  /** i16x8 → i32x4, low or high four lanes, signed. */
  iExtendLow16: [0xfd, 0xa7, 0x01],
  iExtendHigh16: [0xfd, 0xa8, 0x01],
  /** i32x4 → f32x4, signed. */
  vFromInt: [0xfd, 0xfa, 0x01],
  // For the fused sweep (int8-sweep.ts):
  if: [0x04, 0x40],
  i32Load: [0x28, 2, 0],
  f32Gt: [0x5e],
  f32Sub: [0x93],
  f64FromF32: [0xbb],
  f64Add: [0xa0],
  /** f64 at `address + offset`. */
  f64StoreAt: (offset: number) => [0x39, 3, ...uleb(offset)],
  i32StoreAt: (offset: number) => [0x36, 2, ...uleb(offset)],
  /** Eight int8 at `address + offset` (a constant byte offset), sign-extended to i16x8. */
  vLoad8x8At: (offset: number) => [0xfd, 0x01, 0, ...uleb(offset)],
  /** f32x4 at `address + offset`. */
  vLoadAt: (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)],
  vStoreAt: (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)],
  // For the fold-in scores of the iALS baseline (eval/methods/factor-scores.ts), in doubles:
  f64Load: [0x2b, 3, 0],
  /** Two doubles per lane op. */
  dAdd: [0xfd, 0xf0, 0x01],
  dMul: [0xfd, 0xf2, 0x01],
  dLane: (l: number) => [0xfd, 0x21, l],
};

const modules = new Map<string, WebAssembly.Module | null>();

/**
 * The module `bytes()` assembles, compiled once per `key` (the kernels and their
 * variants share this one cache), or null where WebAssembly or what the module
 * uses (SIMD, a shared memory) is missing or refused (a CSP without 'wasm-unsafe-eval').
 */
export function compiledModule(key: string, bytes: () => Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  if (!modules.has(key)) {
    let module: WebAssembly.Module | null = null;
    try {
      const b = bytes();
      module = typeof WebAssembly !== 'undefined' && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
    } catch {
      module = null;
    }
    modules.set(key, module);
  }
  return modules.get(key)!;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value ? byte | 0x80 : byte);
  } while (value);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/** One exported function: parameter and result types, locals as [count, type] runs, and code. */
export interface AsmFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  readonly locals: readonly (readonly [number, number])[];
  readonly code: readonly number[];
}

/** The largest memory a 32-bit module addresses, in 64 KiB pages. */
const MAX_PAGES = 65536;

/**
 * A module importing `env.memory` and exporting `functions` under their names.
 * `shared`: the import is a shared memory (what threads sweeping one table
 * instantiate the module over; such an import must state a maximum).
 */
export function assemble(functions: readonly AsmFunction[], options: { readonly shared?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bodies = functions.map((f) => {
    const bytes = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code, ...op.end];
    return [...uleb(bytes.length), ...bytes];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...(options.shared ? [0x03, 0x01, ...uleb(MAX_PAGES)] : [0x00, 0x01])]])),
    ...section(3, vec(functions.map((_, i) => [i]))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, i]))),
    ...section(10, vec(bodies)),
  ]);
}
