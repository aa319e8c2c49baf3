import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadSimdKernels } from './simd-kernels';
import { registerWasmBatchNorm } from './wasm-batch-norm';
import { registerWasmConvGradients } from './wasm-conv2d-gradients';
import { registerWasmSharedIdentity } from './wasm-identity';
import { registerWasmFastMatMul } from './wasm-matmul';
import { registerWasmFastMaxPoolGrad } from './wasm-maxpool-grad';
import { registerWasmFastReductions } from './wasm-reductions';
import { registerWasmReluGradient } from './wasm-relu-grad';
import { prepareWasmThreads, releaseWasmThreads, wasmThreadCount } from './wasm-threads';
import { AppError } from '../../protocol/errors';

export type BackendName = 'gpu' | 'native' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** Recorded with every run: which backend computed its numbers. */
export interface BackendInfo {
  name: BackendName;
  /** The tfjs backend id (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  version: string;
  threads: number;
  /** wasm: whether the engine's own SIMD kernels run (else tfjs's kernels do; the last digits differ). */
  simdKernels?: boolean;
}

const require = createRequire(import.meta.url);

/** Preference when the user says `auto`: CUDA GPU, then native TensorFlow on the CPU, then wasm, then plain JS. */
export const AUTO_ORDER: readonly BackendName[] = ['gpu', 'native', 'wasm', 'cpu'];

const INSTALL_HINT: Record<BackendName, string> = {
  gpu: 'install @tensorflow/tfjs-node-gpu (it needs CUDA and cuDNN, and network access to download libtensorflow during npm install)',
  native: 'install @tensorflow/tfjs-node (its install downloads libtensorflow, which needs network access)',
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm (npm ci)',
  cpu: 'reinstall @tensorflow/tfjs (npm ci)',
};

let active: BackendInfo | null = null;

/**
 * Makes `choice` the tfjs backend (trying each in {@link AUTO_ORDER} for `auto`) and says what it got.
 * A backend asked for by name that cannot be used throws an {@link AppError} saying why and what to install.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  if (active && (choice === 'auto' || choice === active.name)) return active;
  const candidates = choice === 'auto' ? AUTO_ORDER : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      active = await activate(name);
      return active;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new AppError('backend-unavailable', 
    choice === 'auto'
      ? `No tfjs backend could be started (${failures.join('; ')}). Reinstall the project's dependencies with npm ci.`
      : `The ${choice} backend is not usable here (${failures[0]}). To use it, ${INSTALL_HINT[choice]}; or pass --backend auto to use the best one available.`,
  );
}

async function activate(name: BackendName): Promise<BackendInfo> {
  switch (name) {
    case 'gpu':
    case 'native': {
      const pkg = name === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        require.resolve(pkg);
      } catch {
        throw new Error(`${pkg} is not installed`);
      }
      await import(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not start`);
      if (name === 'gpu' && !hasCudaDevice()) throw new Error('tfjs-node-gpu found no CUDA GPU');
      return { name, tfBackend: 'tensorflow', version: packageVersion(pkg), threads: os.availableParallelism() };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Load the .wasm binaries from the installed package, never from a CDN.
      wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}${path.sep}`);
      const threads = wasmThreadCount();
      // One thread: the plain SIMD module, no workers. More: the threaded module, made to work under Node.
      const undo = threads > 1 ? prepareWasmThreads(wasm, threads) : () => undefined;
      const listenersBefore = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
      try {
        if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
        releaseWasmThreads(tf.backend());
      } finally {
        undo();
        // Emscripten's glue rethrows every uncaught error from its own (minified, one-line) source, so Node
        // would print the whole glue file above the real error: restore Node's own handling.
        for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
          for (const listener of process.listeners(event as 'uncaughtException')) if (!(listenersBefore[event] as unknown[]).includes(listener)) process.removeListener(event as 'uncaughtException', listener);
        }
      }
      // Kernels wasm lacks or runs slowly, replaced by compositions of its fast (XNNPACK) kernels and by our
      // own SIMD kernels on its memory (where this runtime can load them).
      const module = (tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
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
      return { name, tfBackend: 'wasm', version: packageVersion('@tensorflow/tfjs-backend-wasm'), threads: wasm.getThreadsCount(), simdKernels: simd !== null };
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return { name, tfBackend: 'cpu', version: packageVersion('@tensorflow/tfjs'), threads: 1 };
  }
}

function hasCudaDevice(): boolean {
  // tfjs-node-gpu falls back to the CPU when CUDA is missing; its backend says whether it found a GPU.
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.isUsingGpuDevice === true || backend.binding?.isUsingGpuDevice?.() === true;
}

function packageVersion(pkg: string): string {
  return (require(`${pkg}/package.json`) as { version: string }).version;
}
