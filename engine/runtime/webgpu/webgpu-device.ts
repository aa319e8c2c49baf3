import * as tf from '@tensorflow/tfjs';

/** The GPUDevice of tfjs's active WebGPU backend, or null on any other backend. */
export function webgpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}
