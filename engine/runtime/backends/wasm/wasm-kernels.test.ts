import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../select-backend';
import { simdKernels } from './simd-kernels';

/**
 * The wasm kernels we replace or add (bench/ measures why) must compute what tfjs's cpu backend computes,
 * free every temporary they make, and leave no tensor behind.
 */
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const values = (shape: number[], seed: number) =>
  Float32Array.from({ length: size(shape) }, (_, i) => Math.sin(i * 0.37 + seed) + 0.1 * Math.cos(i * 1.3));

async function onBoth(
  compute: () => tf.Tensor,
): Promise<{ cpu: Float32Array; wasm: Float32Array; shapes: number[][] }> {
  await selectBackend('cpu');
  const reference = tf.tidy(compute);
  const cpu = Float32Array.from(await reference.data());
  reference.dispose();
  await selectBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const result = tf.tidy(compute);
  const wasm = Float32Array.from(await result.data());
  const shapes = [reference.shape, result.shape];
  result.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.backend().numDataIds()).toBe(dataBefore);
  return { cpu, wasm, shapes };
}

function expectClose(
  { cpu, wasm, shapes }: { cpu: Float32Array; wasm: Float32Array; shapes: number[][] },
  tolerance = 1e-4,
): void {
  expect(shapes[1]).toEqual(shapes[0]);
  const scale = Math.max(1, ...Array.from(cpu, Math.abs));
  const maxError = Math.max(...Array.from(wasm, (v, i) => Math.abs(v - (cpu[i] ?? 0))));
  expect(maxError / scale).toBeLessThan(tolerance);
}

type Conv = {
  name: string;
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
};
const CONVS: Conv[] = [
  { name: '3x3 same, stride 1', xShape: [2, 7, 6, 3], wShape: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3x3 valid, stride 2', xShape: [3, 9, 8, 2], wShape: [3, 3, 2, 5], strides: [2, 2], pad: 'valid' },
  { name: '5x3 same, stride 2x1', xShape: [1, 8, 8, 1], wShape: [5, 3, 1, 2], strides: [2, 1], pad: 'same' },
  { name: '1x1', xShape: [4, 5, 5, 6], wShape: [1, 1, 6, 3], strides: [1, 1], pad: 'valid' },
  {
    name: 'the encoder block, 3x3 same on 1 channel',
    xShape: [8, 16, 16, 1],
    wShape: [3, 3, 1, 8],
    strides: [1, 1],
    pad: 'same',
  },
];

describe('wasm kernels for training', () => {
  it.each(CONVS)(
    'differentiates a convolution like the cpu backend, by filter and by input ($name)',
    async ({ xShape, wShape, strides, pad }) => {
      const [x, w] = [values(xShape, 1), values(wShape, 2)];
      const gradients = (which: 0 | 1) => () => {
        const f = (input: tf.Tensor, filter: tf.Tensor) => {
          const y = tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, strides, pad);
          return tf.sum(tf.mul(y, tf.randomUniform(y.shape, -1, 1, 'float32', 5)));
        };
        return tf.grads(f)([tf.tensor4d(x, xShape), tf.tensor4d(w, wShape)])[which] as tf.Tensor;
      };
      expectClose(await onBoth(gradients(1)));
      expectClose(await onBoth(gradients(0)));
    },
  );

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('multiplies matrices with transposed operands (transposeA %s, transposeB %s)', async (transposeA, transposeB) => {
    const a = values([3, 5, 4], 3);
    const b = values([3, 4, 6], 4);
    expectClose(
      await onBoth(() =>
        tf.matMul(
          tf.tensor3d(a, transposeA ? [3, 4, 5] : [3, 5, 4]),
          tf.tensor3d(b, transposeB ? [3, 6, 4] : [3, 4, 6]),
          transposeA,
          transposeB,
        ),
      ),
    );
  });

  it.each([
    { axes: [0, 1, 2], keepDims: false },
    { axes: [0, 1, 2], keepDims: true },
    { axes: [1, 2], keepDims: false },
    { axes: [1, 2], keepDims: true },
    { axes: [3], keepDims: false },
    { axes: [0], keepDims: true },
  ])('sums and averages NHWC activations over $axes (keepDims $keepDims)', async ({ axes, keepDims }) => {
    const x = values([4, 6, 5, 3], 5);
    expectClose(await onBoth(() => tf.sum(tf.tensor4d(x, [4, 6, 5, 3]), axes, keepDims)));
    expectClose(await onBoth(() => tf.mean(tf.tensor4d(x, [4, 6, 5, 3]), axes, keepDims)));
  });

  it('tiles a per-channel row over the leading axes, and anything else as before', async () => {
    expectClose(await onBoth(() => tf.tile(tf.tensor4d(values([3], 6), [1, 1, 1, 3]), [2, 4, 5, 1])));
    expectClose(await onBoth(() => tf.tile(tf.tensor2d(values([6], 7), [2, 3]), [3, 2])));
  });

  it('differentiates 2x2 max pooling like the cpu backend, even sizes and odd', async () => {
    for (const shape of [
      [2, 8, 6, 3],
      [1, 7, 5, 2],
      [3, 6, 4, 8],
    ] as [number, number, number, number][]) {
      const x = values(shape, 8);
      expectClose(
        await onBoth(() =>
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid'), 3)))(
            tf.tensor4d(x, shape),
          ),
        ),
      );
    }
  });

  it('normalises with fixed statistics like the cpu backend: per-channel statistics, with and without scale and offset, and broadcast ones', async () => {
    const shape: [number, number, number, number] = [3, 4, 5, 6];
    const x = values(shape, 9);
    const stat = (seed: number, positive = false) =>
      tf.tensor1d(values([6], seed).map((v) => (positive ? Math.abs(v) + 0.1 : v)));
    expectClose(
      await onBoth(() => tf.batchNorm(tf.tensor4d(x, shape), stat(1), stat(2, true), stat(3), stat(4), 1e-3)),
    );
    expectClose(
      await onBoth(() => tf.batchNorm(tf.tensor4d(x, shape), stat(1), stat(2, true), undefined, undefined, 1e-3)),
    );
    expectClose(
      await onBoth(() =>
        tf.batchNorm(
          tf.tensor4d(x, shape),
          stat(1).reshape([1, 1, 1, 6]),
          stat(2, true).reshape([1, 1, 1, 6]),
          stat(3).reshape([1, 1, 1, 6]),
          stat(4).reshape([1, 1, 1, 6]),
          1e-3,
        ),
      ),
    );
    expectClose(
      await onBoth(() =>
        tf.batchNorm(tf.tensor4d(x, shape), tf.scalar(0.5), tf.scalar(2), tf.scalar(1), tf.scalar(3), 1e-3),
      ),
    );
    // Eight channels: whole SIMD vectors (the other cases here go through tfjs's element-wise kernels).
    const stat8 = (seed: number, positive = false) =>
      tf.tensor1d(values([8], seed).map((v) => (positive ? Math.abs(v) + 0.1 : v)));
    expectClose(
      await onBoth(() =>
        tf.batchNorm(
          tf.tensor4d(values([2, 3, 5, 8], 10), [2, 3, 5, 8]),
          stat8(1),
          stat8(2, true),
          stat8(3),
          stat8(4),
          1e-3,
        ),
      ),
    );
  });

  it('differentiates ReLU like the cpu backend, at sizes in whole SIMD vectors and not', async () => {
    for (const shape of [
      [2, 6, 4, 8],
      [3, 5, 7],
    ]) {
      const x = values(shape, 11);
      expectClose(
        await onBoth(() =>
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.relu(input), tf.tensor(values(shape, 12), shape))))(
            tf.tensor(x, shape),
          ),
        ),
      );
    }
  });

  it('loads its SIMD kernels on the wasm memory (the cases with channels in multiples of 4 here run them)', async () => {
    expect((await selectBackend('wasm')).simdKernels).toBe(true);
    expect(simdKernels()).not.toBeNull();
  });

  it('keeps a copy made by identity valid after its source is disposed', async () => {
    await selectBackend('wasm');
    const source = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(source);
    source.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3]);
    copy.dispose();
  });
});
