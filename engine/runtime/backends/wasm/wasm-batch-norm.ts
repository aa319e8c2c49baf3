import * as tf from '@tensorflow/tfjs';
import { simdKernels } from './simd-kernels';
import { wasmHeap } from './wasm-heap';
import { kernelCalls, replaceWasmKernel, type KernelFunc, type TensorInfo } from './wasm-kernel-calls';

/**
 * Batch normalisation in training mode, channels last, as two kernels: the forward pass (batch mean and
 * variance per channel, then y = x·scale + shift) and its whole gradient (dx, dγ, dβ). tfjs builds the same
 * from moments + batchNorm, whose gradient is ~60 broadcast products, sums, casts and divisions plus wasm's
 * slow FusedBatchNorm (~180 of a ~550 ms CNN step, `npm run bench:profile -- cnn`). Here the passes over
 * the data are the SIMD kernels of simd-kernels-text.ts (three forward, two backward), or, where those
 * cannot run (channels not a multiple of 4, no SIMD), tfjs's element-wise kernels; the per-channel
 * arithmetic is JavaScript. Registered on wasm only: `BatchNormalization` (engine/train/models) falls back
 * to tfjs's own path where these kernels are missing, so other backends compute what they always did.
 */
export const BATCH_NORM_TRAINING = 'ModalityStudioBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'ModalityStudioBatchNormTrainingGrad';

interface Attrs {
  epsilon: number;
}

export function registerWasmBatchNorm(): void {
  replaceWasmKernel('FusedBatchNorm', (original) => (params) => inferenceBatchNorm(original, params as never));
  if (tf.getKernel(BATCH_NORM_TRAINING, 'wasm')) return;
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING,
    backendName: 'wasm',
    kernelFunc: batchNormTraining as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING_GRAD,
    backendName: 'wasm',
    kernelFunc: batchNormTrainingGrad as unknown as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    // The batch mean and variance outputs feed only the moving averages, which nothing differentiates, so
    // their gradients (zeros) are not propagated.
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, mean, variance] = saved;
      const [dx, dGamma, dBeta] = tf
        .engine()
        .runKernel(
          BATCH_NORM_TRAINING_GRAD,
          { dy: dy!, x: x!, gamma: gamma!, mean: mean!, variance: variance! },
          attrs,
        ) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
    },
  });
}

function channelsOf(x: TensorInfo): { channels: number; count: number; leadingAxes: number[] } {
  const channels = x.shape.at(-1) ?? 1;
  return {
    channels,
    count: x.shape.reduce((a, b) => a * b, 1) / channels,
    leadingAxes: x.shape.slice(0, -1).map((_, i) => i),
  };
}

/** The SIMD kernels, when they are loaded and the channels fill whole 4-lane vectors. */
function simdFor(channels: number) {
  return channels % 4 === 0 ? simdKernels() : null;
}

/** A `[channels]` tensor computed in JavaScript from other `[channels]` tensors (too small for a kernel call). */
function perChannel(
  backend: tf.KernelBackend,
  channels: number,
  inputs: TensorInfo[],
  value: (c: number, v: Float32Array[]) => number,
): TensorInfo {
  const heap = wasmHeap(backend);
  const output = heap.output([channels]);
  const views = inputs.map((i) => heap.view(i));
  const out = heap.view(output);
  for (let c = 0; c < channels; c += 1) out[c] = value(c, views);
  return output;
}

const at = (v: Float32Array[], i: number, c: number) => (v[i] as Float32Array)[c] as number;

/** A new heap tensor of `shape`, filled by a SIMD kernel given its address. */
function simdOutput(heap: ReturnType<typeof wasmHeap>, shape: number[], fill: (address: number) => void): TensorInfo {
  const output = heap.output(shape);
  fill(heap.address(output));
  return output;
}

/**
 * Outputs [y, batch mean, batch variance (biased, as tf.moments)]; y = (x − mean)·γ/√(variance + ε) + β.
 * The variance is the mean of the centred squares (not E[x²] − mean², which loses digits in float32 when
 * the mean is large).
 */
function batchNormTraining({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
}): TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const { channels, count, leadingAxes } = channelsOf(x);
  const heap = wasmHeap(backend);
  const simd = simdFor(channels);
  const calls = kernelCalls(backend);
  try {
    const sumOver = (t: TensorInfo) => calls.temp(calls.run('Sum', { x: t }, { axis: leadingAxes, keepDims: false }));
    const sum = simd
      ? calls.temp(simdOutput(heap, [channels], (out) => simd.channel_sums(heap.address(x), count, channels, out)))
      : sumOver(x);
    const mean = perChannel(backend, channels, [sum], (c, v) => at(v, 0, c) / count);
    const squares = simd
      ? calls.temp(
          simdOutput(heap, [channels], (out) =>
            simd.channel_centered_squares(heap.address(x), count, channels, heap.address(mean), out),
          ),
        )
      : sumOver(calls.temp(calls.run('Square', { x: calls.temp(calls.run('Sub', { a: x, b: mean })) })));
    const variance = perChannel(backend, channels, [squares], (c, v) => at(v, 0, c) / count);
    return [normalizeByChannel(backend, x, { mean, variance, gamma, beta }, attrs.epsilon), mean, variance];
  } finally {
    calls.free();
  }
}

/**
 * With x̂ = (x − mean)·s, s = 1/√(variance + ε) and M values per channel:
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·s·(dy − dβ/M − x̂·dγ/M)
 * (the batch statistics depend on x, which the last two terms account for), computed as
 * dx = a·dy + b·x + k with a = γ·s, b = −a·s·dγ/M, k = −a·dβ/M − b·mean.
 */
function batchNormTrainingGrad({
  inputs,
  backend,
  attrs,
}: {
  inputs: { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
}): TensorInfo[] {
  const { dy, x, gamma, mean, variance } = inputs;
  const { channels, count, leadingAxes } = channelsOf(x);
  const heap = wasmHeap(backend);
  const simd = simdFor(channels);
  const calls = kernelCalls(backend);
  try {
    let dBeta: TensorInfo;
    let dyCentered: TensorInfo;
    if (simd) {
      dBeta = heap.output([channels]);
      dyCentered = calls.temp(heap.output([channels]));
      simd.channel_gradient_sums(
        heap.address(dy),
        heap.address(x),
        count,
        channels,
        heap.address(mean),
        heap.address(dBeta),
        heap.address(dyCentered),
      );
    } else {
      dBeta = calls.run('Sum', { x: dy }, { axis: leadingAxes, keepDims: false });
      const centered = calls.temp(calls.run('Sub', { a: x, b: mean }));
      dyCentered = calls.temp(
        calls.run(
          'Sum',
          { x: calls.temp(calls.run('Multiply', { a: dy, b: centered })) },
          { axis: leadingAxes, keepDims: false },
        ),
      );
    }
    const s = (c: number, v: Float32Array[]) => 1 / Math.sqrt(at(v, 0, c) + attrs.epsilon);
    const dGamma = perChannel(backend, channels, [variance, dyCentered], (c, v) => s(c, v) * at(v, 1, c));
    const a = calls.temp(perChannel(backend, channels, [variance, gamma], (c, v) => at(v, 1, c) * s(c, v)));
    const b = calls.temp(
      perChannel(
        backend,
        channels,
        [variance, gamma, dGamma],
        (c, v) => (-at(v, 1, c) * s(c, v) * s(c, v) * at(v, 2, c)) / count,
      ),
    );
    const k = calls.temp(
      perChannel(
        backend,
        channels,
        [variance, gamma, dBeta, b, mean],
        (c, v) => (-at(v, 1, c) * s(c, v) * at(v, 2, c)) / count - at(v, 3, c) * at(v, 4, c),
      ),
    );
    if (simd)
      return [
        simdOutput(heap, x.shape, (dx) =>
          simd.channel_gradient_apply(
            heap.address(dy),
            heap.address(x),
            count,
            channels,
            heap.address(a),
            heap.address(b),
            heap.address(k),
            dx,
          ),
        ),
        dGamma,
        dBeta,
      ];
    const scaled = calls.temp(
      calls.run('Add', {
        a: calls.temp(calls.run('Multiply', { a: dy, b: a })),
        b: calls.temp(calls.run('Multiply', { a: x, b })),
      }),
    );
    return [calls.run('Add', { a: scaled, b: k }), dGamma, dBeta];
  } finally {
    calls.free();
  }
}

/**
 * Batch normalisation with fixed statistics (inference, and the teachers' frozen features): per channel,
 * y = x·scale + shift with scale = γ/√(variance + ε) and shift = β − mean·scale, as one SIMD pass (or two
 * element-wise kernels). wasm's FusedBatchNorm loop takes ~6 ns per value, this ~0.5 (bench/: ~20% of a
 * CNN's inference pass). Statistics that are not one value per last-axis channel keep wasm's kernel.
 */
function inferenceBatchNorm(
  original: KernelFunc,
  {
    inputs,
    backend,
    attrs,
  }: {
    inputs: {
      x: TensorInfo;
      mean: TensorInfo;
      variance: TensorInfo;
      offset?: TensorInfo | null;
      scale?: TensorInfo | null;
    };
    backend: tf.KernelBackend;
    attrs: { varianceEpsilon: number };
  },
): TensorInfo {
  const { x, mean, variance, offset, scale } = inputs;
  const channels = x.shape.at(-1) ?? 0;
  const isPerChannel = (t: TensorInfo | null | undefined) =>
    !t || (t.dtype === 'float32' && t.shape.at(-1) === channels && t.shape.reduce((a, b) => a * b, 1) === channels);
  if (x.dtype !== 'float32' || channels === 0 || ![mean, variance, offset, scale].every(isPerChannel)) {
    return original({
      inputs: inputs as unknown as tf.NamedTensorInfoMap,
      backend,
      attrs: attrs as unknown as tf.NamedAttrMap,
    }) as TensorInfo;
  }
  return normalizeByChannel(
    backend,
    x,
    { mean, variance, gamma: scale ?? null, beta: offset ?? null },
    attrs.varianceEpsilon,
  );
}

/**
 * y = x·factor + shift per last-axis channel, factor = γ/√(variance + ε), shift = β − mean·factor (γ = 1 and
 * β = 0 when absent): one SIMD pass, or tfjs's Multiply and Add. Shared by the training forward pass (with
 * the batch's statistics) and inference (with the moving ones).
 */
function normalizeByChannel(
  backend: tf.KernelBackend,
  x: TensorInfo,
  stats: { mean: TensorInfo; variance: TensorInfo; gamma: TensorInfo | null; beta: TensorInfo | null },
  epsilon: number,
): TensorInfo {
  const { channels, count } = channelsOf(x);
  const heap = wasmHeap(backend);
  const calls = kernelCalls(backend);
  try {
    const factor = calls.temp(heap.output([channels]));
    const shift = calls.temp(heap.output([channels]));
    const [m, v, g, b, f, h] = [stats.mean, stats.variance, stats.gamma, stats.beta, factor, shift].map((t) =>
      t ? heap.view(t) : null,
    );
    for (let c = 0; c < channels; c += 1) {
      const k = (g ? (g[c] as number) : 1) / Math.sqrt((v?.[c] as number) + epsilon);
      f![c] = k;
      h![c] = (b ? (b[c] as number) : 0) - (m?.[c] as number) * k;
    }
    const simd = simdFor(channels);
    if (!simd) return calls.run('Add', { a: calls.temp(calls.run('Multiply', { a: x, b: factor })), b: shift });
    return simdOutput(heap, x.shape, (y) =>
      simd.channel_affine(heap.address(x), count, channels, heap.address(factor), heap.address(shift), y),
    );
  } finally {
    calls.free();
  }
}
