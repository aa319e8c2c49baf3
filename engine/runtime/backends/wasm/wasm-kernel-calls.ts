import * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;
export type KernelFunc = (params: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}) => TensorInfo | TensorInfo[];

/** The kernel registered for `name` on wasm (the original, captured before any replacement). */
export function wasmKernel(name: string): KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`The wasm backend has no ${name} kernel.`);
  return config.kernelFunc as unknown as KernelFunc;
}

/**
 * Runs other wasm kernels from inside a kernel: `run` calls one, `temp` marks a result to free when the
 * kernel is done (`free`). Kernels see TensorInfos, not Tensors, so nothing is tracked for them.
 */
export function kernelCalls(backend: tf.KernelBackend) {
  const temporaries: TensorInfo[] = [];
  const run = (name: string | KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo =>
    (typeof name === 'string' ? wasmKernel(name) : name)({ inputs, backend, attrs }) as TensorInfo;
  return {
    run,
    temp(info: TensorInfo): TensorInfo {
      temporaries.push(info);
      return info;
    },
    /** `[rows, 1]` (or any shape) filled with `value`. */
    filled(shape: number[], value: number): TensorInfo {
      const info = run('Fill', {}, { shape, value, dtype: 'float32' });
      temporaries.push(info);
      return info;
    },
    free(): void {
      for (const info of temporaries.splice(0)) backend.disposeData(info.dataId);
    },
  };
}

/**
 * Puts `replacement` in the place of wasm's kernel `name`; it receives the original to fall back on. Must
 * run after the backend started (the original's setup has run by then). Idempotent.
 */
export function replaceWasmKernel(name: string, replacement: (original: KernelFunc) => KernelFunc): void {
  const config = tf.getKernel(name, 'wasm');
  if (!config || (config as { replaced?: boolean }).replaced) return;
  const original = config.kernelFunc as unknown as KernelFunc;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: replacement(original) as unknown as tf.KernelFunc,
    replaced: true,
  } as tf.KernelConfig);
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
