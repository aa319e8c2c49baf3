import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './wasm-kernel-calls';

/** The part of tfjs-backend-wasm's BackendWasm a JavaScript kernel needs (its data lives in the wasm heap). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  getMemoryOffset(dataId: tf.DataId): number;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * Direct access to tensors in the wasm heap for our own kernels: addresses for the SIMD kernels
 * (simd-kernels.ts) and views for small per-channel arithmetic in JavaScript (whole passes over activations
 * belong in SIMD: a JavaScript loop costs 2–4 ns per value here, a SIMD pass under 0.5). Allocate every
 * output first (`output`), then take the views (`view`): an allocation can grow the heap, which detaches
 * views taken before it.
 */
export function wasmHeap(backend: tf.KernelBackend) {
  const heap = backend as unknown as WasmHeapBackend;
  return {
    output(shape: number[]): TensorInfo {
      return heap.makeOutput(shape, 'float32');
    },
    /** The byte offset of a tensor's data in the heap, for the SIMD kernels. */
    address(info: TensorInfo): number {
      return heap.getMemoryOffset(info.dataId);
    },
    view(info: TensorInfo): Float32Array {
      if (info.dtype !== 'float32') throw new Error(`A wasm heap kernel expected float32 data, got ${info.dtype}.`);
      return heap.typedArrayFromHeap(info);
    },
  };
}
