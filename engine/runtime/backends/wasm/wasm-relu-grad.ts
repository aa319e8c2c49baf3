import * as tf from '@tensorflow/tfjs';
import { simdKernels } from './simd-kernels';
import { wasmHeap } from './wasm-heap';
import type { TensorInfo } from './wasm-kernel-calls';

export const RELU_GRAD = 'ModalityStudioReluGrad';

/**
 * ReLU's gradient, dy where x > 0, as one SIMD pass on wasm. tfjs's own gradient is dy·cast(step(x)):
 * three passes (Step, Cast, Multiply), ~1.5 ms each on the encoders' [64, 32, 32, 32] activations, six
 * per CNN step. Gradients are registered for every backend at once, so the new one runs tfjs's formula
 * wherever the kernel is missing (other backends, sizes not a multiple of 4, SIMD unavailable).
 */
export function registerWasmReluGradient(): void {
  if (tf.getKernel(RELU_GRAD, 'wasm')) return;
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'wasm',
    kernelFunc: reluGradient as unknown as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const gradient = dy as tf.Tensor;
      const x = saved[0] as tf.Tensor;
      const fast = tf.getBackend() === 'wasm' && simdKernels() !== null && x.dtype === 'float32' && x.size % 4 === 0;
      return {
        x: () =>
          fast
            ? (tf.engine().runKernel(RELU_GRAD, { dy: gradient, x }) as tf.Tensor)
            : tf.mul(gradient, tf.cast(tf.step(x), 'float32')),
      };
    },
  });
}

function reluGradient({
  inputs,
  backend,
}: {
  inputs: { dy: TensorInfo; x: TensorInfo };
  backend: tf.KernelBackend;
}): TensorInfo {
  const { dy, x } = inputs;
  const simd = simdKernels();
  if (!simd) throw new Error(`${RELU_GRAD} needs the SIMD kernels, which did not load.`);
  const heap = wasmHeap(backend);
  const dx = heap.output(x.shape);
  simd.relu_gradient(
    heap.address(dy),
    heap.address(x),
    x.shape.reduce((a, b) => a * b, 1),
    heap.address(dx),
  );
  return dx;
}
