import { simdKernels } from './simd-kernels';
import { wasmHeap } from './wasm-heap';
import { kernelCalls, replaceWasmKernel, type KernelFunc, type TensorInfo } from './wasm-kernel-calls';

/**
 * The gradient of 2×2, stride-2 max pooling (the encoders' only pooling) without wasm's generic MaxPoolGrad
 * loop (~85 ms for a [64, 32, 32, 32] input). Each window's gradient goes to the positions holding the
 * window's maximum:
 *
 *   dx = upsample(dy) · (1 − step(upsample(y) − x))      (upsample: repeat each value over its 2×2 window)
 *
 * built from a broadcast multiply, Sub and Step (~10 ms), or, with channels in whole SIMD vectors, as one
 * pass of our SIMD kernel (~2 ms). Where a window holds its maximum twice, both places
 * get the gradient (the exact kernel picks one). The encoders pool after a ReLU, so such ties are zeros
 * whose gradient the ReLU stops anyway; ties between positive values have probability zero.
 * Other poolings (sizes, strides, padding, odd sizes) keep wasm's own kernel.
 */
export function registerWasmFastMaxPoolGrad(): void {
  replaceWasmKernel('MaxPoolGrad', (original: KernelFunc): KernelFunc => ({ inputs, backend, attrs }) => {
    const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
    const { filterSize, strides, pad } = attrs as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: unknown;
    };
    const pair = (v: number | [number, number]) => (Array.isArray(v) ? v : [v, v]);
    const [batch = 1, height = 1, width = 1, channels = 1] = input.shape;
    const simple =
      pair(filterSize).every((s) => s === 2) &&
      pair(strides).every((s) => s === 2) &&
      pad === 'valid' &&
      height % 2 === 0 &&
      width % 2 === 0;
    if (!simple || input.dtype !== 'float32') return original({ inputs, backend, attrs });
    const simd = channels % 4 === 0 ? simdKernels() : null;
    if (simd) {
      // One SIMD pass: each input position compared with its window's maximum, dy where equal, else 0.
      const heap = wasmHeap(backend);
      const dx = heap.output(input.shape);
      simd.max_pool_2x2_gradient(
        heap.address(input),
        heap.address(output),
        heap.address(dy),
        batch * (height / 2),
        width / 2,
        channels,
        heap.address(dx),
      );
      return dx;
    }
    const calls = kernelCalls(backend);
    try {
      const window = calls.filled([1, 2, 1, 2, 1], 1);
      const upsample = (t: TensorInfo) => {
        const spread = calls.temp(
          calls.run('Reshape', { x: t }, { shape: [batch * (height / 2), 1, width / 2, 1, channels] }),
        );
        const repeated = calls.temp(calls.run('Multiply', { a: spread, b: window }));
        return calls.temp(calls.run('Reshape', { x: repeated }, { shape: [batch, height, width, channels] }));
      };
      const belowMax = calls.temp(
        calls.run('Step', { x: calls.temp(calls.run('Sub', { a: upsample(output), b: input })) }, { alpha: 0 }),
      );
      const atMax = calls.temp(calls.run('Sub', { a: calls.filled([], 1), b: belowMax }));
      return calls.run('Multiply', { a: upsample(dy), b: atMax });
    } finally {
      calls.free();
    }
  });
}
