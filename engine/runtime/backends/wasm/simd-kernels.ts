import wabt from 'wabt';
import { MEMORY_IMPORT, SIMD_KERNELS_WAT } from './simd-kernels-text';

/** The kernels of simd-kernels-text.ts; pointers are byte offsets in tfjs's wasm heap. */
export interface SimdKernels {
  channel_sums(x: number, pixels: number, channels: number, sums: number): void;
  channel_centered_squares(x: number, pixels: number, channels: number, mean: number, sums: number): void;
  channel_affine(x: number, pixels: number, channels: number, scale: number, shift: number, y: number): void;
  channel_gradient_sums(
    dy: number,
    x: number,
    pixels: number,
    channels: number,
    mean: number,
    dySums: number,
    dyCentered: number,
  ): void;
  channel_gradient_apply(
    dy: number,
    x: number,
    pixels: number,
    channels: number,
    a: number,
    b: number,
    k: number,
    dx: number,
  ): void;
  relu_gradient(dy: number, x: number, count: number, dx: number): void;
  max_pool_2x2_gradient(
    x: number,
    y: number,
    dy: number,
    rows: number,
    outWidth: number,
    channels: number,
    dx: number,
  ): void;
}

let kernels: SimdKernels | null = null;
/** The memory the kernels were instantiated on: a new wasm module (a new memory) needs a new instance. */
let boundTo: WebAssembly.Memory | null = null;

/**
 * Compiles the kernels (wabt assembles the text; ~0.1 s once per process) and instantiates them on tfjs's
 * own shared memory, so they read and write tensors in place. Returns null, and the callers keep their
 * composed versions, where this runtime cannot (no SIMD or no shared memory).
 */
export async function loadSimdKernels(memory: WebAssembly.Memory): Promise<SimdKernels | null> {
  if (kernels && boundTo === memory) return kernels;
  kernels = null;
  boundTo = memory;
  try {
    const assembler = await wabt();
    // The threaded wasm build shares its memory with its workers; the single-threaded one does not.
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const text = SIMD_KERNELS_WAT.replace(
      MEMORY_IMPORT,
      shared ? '(import "env" "memory" (memory 1 65536 shared))' : '(import "env" "memory" (memory 1))',
    );
    const parsed = assembler.parseWat('simd-kernels.wat', text, { simd: true, threads: shared });
    try {
      const { buffer } = parsed.toBinary({});
      const instance = new WebAssembly.Instance(new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>), {
        env: { memory },
      });
      kernels = instance.exports as unknown as SimdKernels;
    } finally {
      parsed.destroy();
    }
  } catch {
    kernels = null;
  }
  return kernels;
}

/** The loaded kernels, or null before loading or where they could not load. */
export function simdKernels(): SimdKernels | null {
  return kernels;
}
