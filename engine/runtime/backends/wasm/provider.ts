import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendProvider } from '../provider';
import { loadSimdKernels } from './simd-kernels';
import { registerWasmBatchNorm } from './wasm-batch-norm';
import { registerWasmConvGradients } from './wasm-conv2d-gradients';
import { registerWasmSharedIdentity } from './wasm-identity';
import { registerWasmFastMatMul } from './wasm-matmul';
import { registerWasmFastMaxPoolGrad } from './wasm-maxpool-grad';
import { registerWasmFastReductions } from './wasm-reductions';
import { registerWasmReluGradient } from './wasm-relu-grad';
import { prepareWasmThreads, releaseWasmThreads, wasmThreadCount } from './wasm-threads';

const require = createRequire(import.meta.url);

/**
 * tfjs's WebAssembly backend (XNNPACK, SIMD, threads on every core), with the kernels it lacks or runs slowly
 * replaced by compositions of its fast kernels and by SIMD kernels of our own on its memory.
 */
export const wasmBackend: BackendProvider<'wasm'> = {
  name: 'wasm',
  tfBackend: 'wasm',
  installHint: 'reinstall @tensorflow/tfjs-backend-wasm (npm ci)',
  async activate() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Load the .wasm binaries from the installed package, never from a CDN.
    wasm.setWasmPaths(
      `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}${path.sep}`,
    );
    const threads = wasmThreadCount();
    // One thread: the plain SIMD module, no workers. More: the threaded module, made to work under Node.
    const undo = threads > 1 ? prepareWasmThreads(wasm, threads) : () => undefined;
    const listenersBefore = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection'),
    };
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
      releaseWasmThreads(tf.backend());
    } finally {
      undo();
      // Emscripten's glue rethrows every uncaught error from its own (minified, one-line) source, so Node
      // would print the whole glue file above the real error: restore Node's own handling.
      for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
        for (const listener of process.listeners(event as 'uncaughtException'))
          if (!(listenersBefore[event] as unknown[]).includes(listener))
            process.removeListener(event as 'uncaughtException', listener);
      }
    }
    const module = (
      tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }
    ).wasm;
    // The threaded build creates its (shared) memory itself; the single-threaded one exports its own.
    const memory = module.wasmMemory ?? module.asm?.memory;
    const simd = memory ? await loadSimdKernels(memory) : null;
    registerWasmConvGradients();
    registerWasmBatchNorm();
    registerWasmFastMatMul();
    registerWasmFastReductions();
    registerWasmFastMaxPoolGrad();
    registerWasmReluGradient();
    registerWasmSharedIdentity();
    return {
      name: 'wasm',
      tfBackend: 'wasm',
      version: packageVersion('@tensorflow/tfjs-backend-wasm'),
      threads: wasm.getThreadsCount(),
      simdKernels: simd !== null,
    };
  },
};
