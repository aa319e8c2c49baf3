import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuForTests } from '../../../test/helpers/webgpu-adapter';
import { SeededRandom } from '../../util/random';
import { selectBackend } from '../backends/select-backend';
import {
  batchNormGradKernel,
  batchNormGradSumsKernel,
  batchNormReluKernel,
  batchNormStatsKernel,
  convFilterGradKernel,
  convForwardKernel,
  convInputGradKernel,
  filterGradSplits,
  flatWorkgroups,
  globalAveragePoolGradKernel,
  globalAveragePoolKernel,
  maxPoolGradKernel,
  maxPoolKernel,
  sumSplitsKernel,
  type BatchNormSlots,
  type ImageShape,
} from './conv-kernels';
import { contextFor, encodeDispatches } from './gpu-context';
import { tiledProductKernel, tiledWorkgroups } from './kernels';

/**
 * Each kernel of the convolutional encoder against tfjs's cpu backend on random inputs (every fused
 * kernel to 1e-4, relative; absolute below magnitude 1). Skipped without a WebGPU adapter; CI must have one.
 */
const gpu = await webgpuForTests();
const device = gpu ? await gpu.adapter.requestDevice() : null;
afterAll(() => device?.destroy());
beforeAll(async () => {
  await selectBackend('cpu');
});

const random = new SeededRandom(5);
const values = (n: number, low = -1, high = 1) =>
  Float32Array.from({ length: n }, () => low + (high - low) * random.next());
const size = (s: ImageShape) => s.rows * s.height * s.width * s.channels;

/** Runs one kernel: buffers bound in order (written from `inputs`, zeroed for a number), then reads back those asked for. */
async function run(
  code: string,
  buffers: (Float32Array | Int32Array | number)[],
  workgroups: [number, number?, number?],
  read: number[],
): Promise<Float32Array[]> {
  const ctx = contextFor(device as GPUDevice);
  const made = buffers.map((b, i) => {
    const buffer = ctx.storage(typeof b === 'number' ? b : b.length, `binding ${i}`);
    if (typeof b !== 'number') ctx.write(buffer, b);
    return buffer;
  });
  const pipeline = ctx.pipeline(code, 'kernel under test');
  const encoder = ctx.device.createCommandEncoder();
  encodeDispatches(encoder, [{ pipeline, bindGroup: ctx.bind(pipeline, made), workgroups }]);
  ctx.device.queue.submit([encoder.finish()]);
  const out = await Promise.all(read.map((i) => ctx.read(made[i] as GPUBuffer, (made[i] as GPUBuffer).size / 4)));
  made.forEach((b) => ctx.destroy(b));
  return out;
}

function expectClose(actual: Float32Array, expected: tf.Tensor | Float32Array, what: string): void {
  const want = expected instanceof Float32Array ? expected : (expected.dataSync() as Float32Array);
  expect(actual.length, what).toBe(want.length);
  let worst = 0;
  actual.forEach((value, i) => {
    worst = Math.max(worst, Math.abs(value - want[i]!) / Math.max(Math.abs(want[i]!), 1));
  });
  expect(worst, what).toBeLessThan(1e-4);
}

describe.skipIf(device === null)('the convolutional kernels of the compiled WebGPU step', () => {
  // 5 × 16 × 15 pixels: the filter gradient is split in partial sums (filterGradSplits > 1).
  const input: ImageShape = { rows: 5, height: 16, width: 15, channels: 3 };
  const filters = 5;
  const output: ImageShape = { ...input, channels: filters };

  it('convolves 3×3 "same" without bias, and gives the input and filter gradients of tf.conv2d', async () => {
    expect(filterGradSplits(input)).toBeGreaterThan(1);
    const x = values(size(input));
    const kernel = values(9 * input.channels * filters);
    const dy = values(size(output));
    const offset = 7; // the kernel sits inside the parameter buffer
    const params = new Float32Array(offset + kernel.length);
    params.set(kernel, offset);
    const spec = { input, filters, kernelOffset: offset };
    const forward = convForwardKernel(spec);
    const [y] = await run(tiledProductKernel(forward), [x, params, size(output)], tiledWorkgroups(forward), [2]);
    const dInputSpec = convInputGradKernel(spec);
    const [dx] = await run(tiledProductKernel(dInputSpec), [dy, params, size(input)], tiledWorkgroups(dInputSpec), [2]);
    const filterSpec = convFilterGradKernel(spec);
    const [partial] = await run(
      tiledProductKernel(filterSpec),
      [x, dy, (filterSpec.splits ?? 1) * kernel.length],
      tiledWorkgroups(filterSpec),
      [2],
    );
    const [dk] = await run(
      sumSplitsKernel(kernel.length, filterSpec.splits ?? 1, 2),
      [partial!, kernel.length + 2],
      flatWorkgroups(kernel.length),
      [1],
    );

    const xt = tf.tensor4d(x, [input.rows, input.height, input.width, input.channels]);
    const kt = tf.tensor4d(kernel, [3, 3, input.channels, filters]);
    const dyt = tf.tensor4d(dy, [output.rows, output.height, output.width, filters]);
    const [gx, gk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), dyt)),
    )([xt, kt]);
    expectClose(y!, tf.conv2d(xt, kt, 1, 'same'), 'forward');
    expectClose(dx!, gx!, 'input gradient');
    expectClose(dk!.subarray(2), gk!, 'filter gradient');
    tf.dispose([xt, kt, dyt, gx!, gk!]);
  }, 60_000);

  it("normalises with the real rows' batch statistics (ReLU after), updates the moving averages, and back-propagates as tfjs", async () => {
    const shape: ImageShape = { rows: 5, height: 4, width: 3, channels: 6 };
    const real = 3; // two padding rows: no part in the statistics, zero gradient
    const c = shape.channels;
    const bn: BatchNormSlots = {
      gamma: 0,
      beta: c,
      movingMean: 2 * c,
      movingVariance: 3 * c,
      epsilon: 1e-3,
      momentum: 0.9,
    };
    const gamma = values(c, 0.5, 1.5);
    const beta = values(c, -0.2, 0.2);
    const moving = [values(c), values(c, 0.5, 2)];
    const params = Float32Array.from([...gamma, ...beta, ...moving[0]!, ...moving[1]!]);
    const x = values(size(shape), -2, 3);
    const dy = values(size(shape));
    const labels = Int32Array.from({ length: shape.rows + 1 }, (_, i) => (i === shape.rows ? real : i < real ? 0 : -1));
    const [stats, updated] = await run(batchNormStatsKernel(shape, bn), [x, labels, 2 * c, params], [c], [2, 3]);
    const [y] = await run(
      batchNormReluKernel(shape, bn, true),
      [x, params, size(shape), stats!],
      flatWorkgroups(size(shape)),
      [2],
    );
    const grads = 2 * c;
    const [dParams, sums] = await run(
      batchNormGradSumsKernel(shape, bn),
      [dy, y!, x, stats!, labels, grads, 2 * c],
      [c],
      [5, 6],
    );
    const [dx] = await run(
      batchNormGradKernel(shape, bn),
      [dy, y!, x, stats!, labels, params, sums!, size(shape)],
      flatWorkgroups(size(shape)),
      [7],
    );
    const [inference] = await run(
      batchNormReluKernel(shape, bn, false),
      [x, updated!, size(shape)],
      flatWorkgroups(size(shape)),
      [2],
    );

    const perRow = size(shape) / shape.rows;
    const xt = tf.tensor4d(x.subarray(0, real * perRow), [real, shape.height, shape.width, c]);
    const dyt = tf.tensor4d(dy.subarray(0, real * perRow), [real, shape.height, shape.width, c]);
    const gt = tf.tensor1d(gamma);
    const bt = tf.tensor1d(beta);
    const { mean, variance } = tf.moments(xt, [0, 1, 2]);
    const layer = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const m = tf.moments(a, [0, 1, 2]);
      return tf.relu(tf.batchNorm(a, m.mean, m.variance, b, g, bn.epsilon));
    };
    const [gx, gg, gb] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layer(a, g, b), dyt)))([
      xt,
      gt,
      bt,
    ]);
    expectClose(stats!.subarray(0, c), mean, 'batch mean');
    expectClose(stats!.subarray(c), tf.div(1, tf.sqrt(tf.add(variance, bn.epsilon))), '1/σ');
    const movingMean = tf.sub(moving[0]!, tf.mul(tf.sub(moving[0]!, mean), 1 - bn.momentum));
    const movingVariance = tf.sub(moving[1]!, tf.mul(tf.sub(moving[1]!, variance), 1 - bn.momentum));
    expectClose(updated!.subarray(2 * c, 3 * c), movingMean, 'moving mean');
    expectClose(updated!.subarray(3 * c), movingVariance, 'moving variance');
    expectClose(y!.subarray(0, real * perRow), layer(xt, gt, bt), 'batch norm + ReLU');
    expectClose(dParams!.subarray(0, c), gg!, 'dγ');
    expectClose(dParams!.subarray(c), gb!, 'dβ');
    expectClose(dx!.subarray(0, real * perRow), gx!, 'dx');
    expect(
      Array.from(dx!.subarray(real * perRow)).every((v) => v === 0),
      'no gradient in padding rows',
    ).toBe(true);
    const all = tf.tensor4d(x, [shape.rows, shape.height, shape.width, c]);
    expectClose(
      inference!,
      tf.relu(tf.batchNorm(all, movingMean, movingVariance, bt, gt, bn.epsilon)),
      'inference on the moving averages',
    );
    tf.dispose([xt, dyt, gt, bt, mean, variance, gx!, gg!, gb!, movingMean, movingVariance, all]);
  }, 60_000);

  it("max-pools 2×2 (an odd last row and column dropped) and routes the gradient to each window's maximum, as tf.maxPool", async () => {
    const shape: ImageShape = { rows: 2, height: 7, width: 5, channels: 3 };
    const pooled = { ...shape, height: 3, width: 2 };
    const x = values(size(shape));
    const dy = values(size(pooled));
    const [y] = await run(maxPoolKernel(shape), [x, size(pooled)], flatWorkgroups(size(pooled)), [1]);
    const [dx] = await run(maxPoolGradKernel(shape), [x, dy, size(shape)], flatWorkgroups(size(shape)), [2]);
    const xt = tf.tensor4d(x, [shape.rows, shape.height, shape.width, shape.channels]);
    const dyt = tf.tensor4d(dy, [pooled.rows, pooled.height, pooled.width, pooled.channels]);
    const gx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dyt)))(xt);
    expectClose(y!, tf.maxPool(xt, 2, 2, 'valid'), 'max-pool');
    expectClose(dx!, gx, 'max-pool gradient');
    tf.dispose([xt, dyt, gx]);
  }, 60_000);

  it('averages each channel over the image, and spreads the gradient evenly back', async () => {
    const shape: ImageShape = { rows: 3, height: 5, width: 4, channels: 7 };
    const x = values(size(shape));
    const dy = values(shape.rows * shape.channels);
    const [y] = await run(
      globalAveragePoolKernel(shape),
      [x, shape.rows * shape.channels],
      flatWorkgroups(shape.rows * shape.channels),
      [1],
    );
    const [dx] = await run(globalAveragePoolGradKernel(shape), [dy, size(shape)], flatWorkgroups(size(shape)), [1]);
    const xt = tf.tensor4d(x, [shape.rows, shape.height, shape.width, shape.channels]);
    const dyt = tf.tensor2d(dy, [shape.rows, shape.channels]);
    const gx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, [1, 2]), dyt)))(xt);
    expectClose(y!, tf.mean(xt, [1, 2]), 'global average pool');
    expectClose(dx!, gx, 'its gradient');
    tf.dispose([xt, dyt, gx]);
  }, 60_000);
});
