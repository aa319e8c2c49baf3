import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './select-backend';

/** Gradient of sum(conv2d(x, w) * upstream) w.r.t. w, on the current backend. */
async function filterGradient(xValues: Float32Array, xShape: [number, number, number, number], wValues: Float32Array, wShape: [number, number, number, number], strides: [number, number], pad: 'same' | 'valid', upstreamSeed: number) {
  const grad = tf.tidy(() => {
    const x = tf.tensor4d(xValues, xShape);
    const w = tf.tensor4d(wValues, wShape);
    const f = (filter: tf.Tensor) => {
      const y = tf.conv2d(x, filter as tf.Tensor4D, strides, pad);
      const upstream = tf.randomUniform(y.shape, -1, 1, 'float32', upstreamSeed);
      return tf.sum(tf.mul(y, upstream));
    };
    return tf.grad(f)(w);
  });
  const values = await grad.data();
  grad.dispose();
  return { values: Float32Array.from(values), shape: grad.shape };
}

describe('wasm Conv2DBackpropFilter', () => {
  const cases: { name: string; xShape: [number, number, number, number]; wShape: [number, number, number, number]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
    { name: '3x3 same, stride 1', xShape: [2, 7, 6, 3], wShape: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
    { name: '3x3 valid, stride 2', xShape: [3, 9, 8, 2], wShape: [3, 3, 2, 5], strides: [2, 2], pad: 'valid' },
    { name: '5x3 same, stride 2x1', xShape: [1, 8, 8, 1], wShape: [5, 3, 1, 2], strides: [2, 1], pad: 'same' },
    { name: '1x1', xShape: [4, 5, 5, 6], wShape: [1, 1, 6, 3], strides: [1, 1], pad: 'valid' },
  ];

  it.each(cases)('matches the cpu backend to 1e-4 ($name)', async ({ xShape, wShape, strides, pad }) => {
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const xValues = Float32Array.from({ length: size(xShape) }, (_, i) => Math.sin(i * 0.37));
    const wValues = Float32Array.from({ length: size(wShape) }, (_, i) => Math.cos(i * 0.11));
    await selectBackend('cpu');
    const reference = await filterGradient(xValues, xShape, wValues, wShape, strides, pad, 5);
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const ours = await filterGradient(xValues, xShape, wValues, wShape, strides, pad, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(ours.shape).toEqual(wShape);
    const maxError = Math.max(...Array.from(ours.values, (v, i) => Math.abs(v - (reference.values[i] ?? 0))));
    expect(maxError).toBeLessThan(1e-4);
  });
});
