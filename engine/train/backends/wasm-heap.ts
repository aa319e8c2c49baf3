import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './wasm-kernel-calls';

/** The part of tfjs-backend-wasm's BackendWasm a JavaScript kernel needs (its data lives in the wasm heap). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  getMemoryOffset(dataId: tf.DataId): number;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * Some training kernels are memory-bound passes that wasm's generic kernels do with many broadcasts and
 * copies; written as one JavaScript loop over the wasm heap they cost a few ns per value. Allocate every
 * output first (`output`), then take the views (`view`): an allocation can grow the heap, which
 * detaches views taken before it.
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
