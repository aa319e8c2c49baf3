import type * as tf from '@tensorflow/tfjs';
import { kernelCalls, replaceWasmKernel, type KernelFunc, type TensorInfo } from './wasm-kernel-calls';

/**
 * wasm's BatchMatMul runs XNNPACK only when neither operand is transposed; with a transposed operand it
 * falls back to a naive loop about 15x slower (64×512·512×256: 1.3 ms plain, 19–21 ms transposed, measured
 * by bench/). Every dense layer's backward pass multiplies by a transposed operand (dx = dy·Wᵀ,
 * dW = xᵀ·dy), so transpose explicitly (cheap, memory-bound) and multiply plainly.
 */
export function registerWasmFastMatMul(): void {
  replaceWasmKernel('BatchMatMul', (original: KernelFunc): KernelFunc => ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    const calls = kernelCalls(backend);
    const swapLast = (x: TensorInfo) =>
      calls.temp(
        calls.run(
          'Transpose',
          { x },
          {
            perm: [...x.shape.keys()].map((i, _, all) =>
              i === all.length - 2 ? all.length - 1 : i === all.length - 1 ? all.length - 2 : i,
            ),
          },
        ),
      );
    try {
      return calls.run(
        original,
        { a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b },
        { ...(attrs as tf.NamedAttrMap), transposeA: false, transposeB: false },
      );
    } finally {
      calls.free();
    }
  });
}
