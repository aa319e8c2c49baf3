import { replaceWasmKernel, type TensorInfo } from './wasm-kernel-calls';

/**
 * wasm's Identity copies its input (2 ms for 2M values, ~160 calls per CNN training step, mostly from
 * gradient bookkeeping). Tensors are immutable, so sharing the data, as the cpu backend does, is enough.
 */
export function registerWasmSharedIdentity(): void {
  replaceWasmKernel('Identity', () => ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
