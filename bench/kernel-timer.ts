import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

/**
 * Wall time of every kernel call on a synchronous backend (wasm, cpu): each registered kernel is wrapped
 * with a clock. tf.profile reads every output back and inflates element-wise kernels several-fold, which
 * misplaces the time; this does not. A kernel that calls other kernels is charged for them (only outermost
 * calls are timed).
 */
export function timeKernels(backend: string) {
  const totals = new Map<string, KernelTime>();
  const calls: { name: string; ms: number; shapes: number[][] }[] = [];
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (params) => {
        if (depth > 0) return inner(params);
        depth += 1;
        const started = performance.now();
        try {
          return inner(params);
        } finally {
          depth -= 1;
          const ms = performance.now() - started;
          const entry = totals.get(config.kernelName) ?? { name: config.kernelName, ms: 0, calls: 0 };
          entry.ms += ms;
          entry.calls += 1;
          totals.set(config.kernelName, entry);
          calls.push({ name: config.kernelName, ms, shapes: Object.values(params.inputs).map((t) => t?.shape ?? []) });
        }
      },
    });
  }
  return {
    reset(): void {
      totals.clear();
      calls.length = 0;
    },
    totals: () => [...totals.values()].sort((a, b) => b.ms - a.ms),
    slowest: (count: number) => [...calls].sort((a, b) => b.ms - a.ms).slice(0, count),
  };
}
