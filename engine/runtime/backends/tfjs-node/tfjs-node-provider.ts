import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendProvider } from '../provider';

const require = createRequire(import.meta.url);

/**
 * TensorFlow's C library through `@tensorflow/tfjs-node` or `-node-gpu` (optional dependencies: their
 * installs download libtensorflow from outside npm, so they are often absent). Both register as `tensorflow`.
 */
export function tfjsNodeProvider<Name extends 'gpu' | 'native'>(
  name: Name,
  pkg: string,
  installHint: string,
): BackendProvider<Name> {
  return {
    name,
    tfBackend: 'tensorflow',
    installHint,
    async activate() {
      try {
        require.resolve(pkg);
      } catch {
        throw new Error(`${pkg} is not installed`);
      }
      await import(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not start`);
      if (name === 'gpu' && !hasCudaDevice()) throw new Error('tfjs-node-gpu found no CUDA GPU');
      return { name, tfBackend: 'tensorflow', version: packageVersion(pkg), threads: os.availableParallelism() };
    },
  };
}

function hasCudaDevice(): boolean {
  // tfjs-node-gpu falls back to the CPU when CUDA is missing; its backend says whether it found a GPU.
  const backend = tf.backend() as unknown as {
    isUsingGpuDevice?: boolean;
    binding?: { isUsingGpuDevice?: () => boolean };
  };
  return backend.isUsingGpuDevice === true || backend.binding?.isUsingGpuDevice?.() === true;
}
