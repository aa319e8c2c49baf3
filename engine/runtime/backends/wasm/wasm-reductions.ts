import { kernelCalls, replaceWasmKernel, sizeOf, type KernelFunc, type TensorInfo } from './wasm-kernel-calls';

/**
 * Batch normalisation's forward and backward passes reduce NHWC activations over every axis but the
 * channels (Sum, Mean over [0, 1, 2]) and broadcast per-channel values back (Tile of [1, 1, 1, C]); global
 * average pooling is a Mean over [1, 2]. wasm runs these as generic loops after a transpose (Tile of 2M
 * values: ~275 ms; Sum: ~12 ms). In XNNPACK instead:
 *
 *   mean over [1, 2]       = average pooling with an H×W window
 *   sum over [0, 1, 2]     = (H·W) · ones[1, N] · avgpool(x)[N, C]
 *   tile of v[1, C] to [M, C] = ones[M, 1] · v[1, C]
 *
 * (A product with the activations as its second operand would be slower: XNNPACK repacks that operand as
 * weights on every call.) Anything else keeps wasm's own kernel.
 */
export function registerWasmFastReductions(): void {
  replaceWasmKernel('Sum', (original) => reduceByProduct(original, false));
  replaceWasmKernel('Mean', (original) => reduceByProduct(original, true));
  replaceWasmKernel('Tile', tileByProduct);
}

function normalizeAxes(axis: number | number[], rank: number): number[] {
  return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

function reduceByProduct(original: KernelFunc, mean: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = normalizeAxes(axis, x.shape.length);
    const [batch = 1, height = 1, width = 1, channels = 1] = x.shape;
    const spatial = axes.join() === '1,2';
    const allButChannels = axes.join() === '0,1,2';
    if (x.dtype !== 'float32' || x.shape.length !== 4 || !(spatial || allButChannels))
      return original({ inputs, backend, attrs });
    const calls = kernelCalls(backend);
    try {
      // XNNPACK's average pooling over the whole image: the spatial mean, [N, 1, 1, C].
      const pooled = calls.temp(
        calls.run('AvgPool', { x }, { filterSize: [height, width], strides: [height, width], pad: 'valid' }),
      );
      let result: TensorInfo;
      if (spatial) {
        result = mean ? pooled : calls.temp(calls.run('Multiply', { a: pooled, b: calls.filled([], height * width) }));
      } else {
        // Then over the batch: a [1, N]·[N, C] product whose row of weights also turns the mean into a sum.
        const rows = calls.temp(calls.run('Reshape', { x: pooled }, { shape: [1, batch, channels] }));
        const weights = calls.filled([1, 1, batch], mean ? 1 / batch : height * width);
        result = calls.temp(
          calls.run('BatchMatMul', { a: weights, b: rows }, { transposeA: false, transposeB: false }),
        );
      }
      const shape = keepDims
        ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : x.shape.filter((_, i) => !axes.includes(i));
      return calls.run('Reshape', { x: result }, { shape });
    } finally {
      calls.free();
    }
  };
}

function tileByProduct(original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { reps } = attrs as { reps: number[] };
    const rank = x.shape.length;
    const channels = x.shape[rank - 1] ?? 1;
    const isRow = x.shape.slice(0, -1).every((d) => d === 1) && reps[rank - 1] === 1;
    if (x.dtype !== 'float32' || !isRow || rank < 2) return original({ inputs, backend, attrs });
    const rows = sizeOf(reps.slice(0, -1));
    const calls = kernelCalls(backend);
    try {
      const ones = calls.filled([rows, 1], 1);
      const row = calls.temp(calls.run('Reshape', { x }, { shape: [1, channels] }));
      const product = calls.temp(
        calls.run('BatchMatMul', { a: ones, b: row }, { transposeA: false, transposeB: false }),
      );
      return calls.run('Reshape', { x: product }, { shape: [...reps.slice(0, -1), channels] });
    } finally {
      calls.free();
    }
  };
}
