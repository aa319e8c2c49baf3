import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { selectBackend } from '../../runtime/backends/select-backend';
import { BATCH_NORM_TRAINING_GRAD } from '../../runtime/backends/wasm/wasm-batch-norm';
import { batchNormalization } from './batch-normalization';
import { conv2d } from './convolution';
import { buildFusion, SeedSequence } from './networks';

/**
 * The encoders' BatchNormalization and Conv2D are tfjs-layers' own with a faster training path
 * (bench/ measures why). They must train to the same numbers as tfjs's layers, leak nothing, and save as
 * the plain layers.
 */
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const values = (shape: number[], seed: number) =>
  Float32Array.from({ length: size(shape) }, (_, i) => Math.sin(i * 0.37 + seed) + 0.1 * Math.cos(i * 1.3) + 0.3);

/** One training call of `layer` on x, then the loss Σ y·r differentiated by x and by the layer's trainable weights. */
function trainOnce(layer: tf.layers.Layer, xShape: number[]): tf.Tensor {
  const x = tf.variable(tf.tensor(values(xShape, 1), xShape));
  const { value, grads } = tf.variableGrads(() => {
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(y, tf.tensor(values(y.shape, 2), y.shape)));
  }, [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)]);
  const parts = [value, ...Object.values(grads), ...layer.weights.map((w) => w.read())].map((t) => t.flatten());
  const out = tf.concat(parts);
  tf.dispose([value, grads, x]);
  return out;
}

async function onBackend(backend: 'cpu' | 'wasm', compute: () => tf.Tensor): Promise<Float32Array> {
  await selectBackend(backend);
  const before = tf.memory().numTensors;
  const result = tf.tidy(compute);
  const data = Float32Array.from(await result.data());
  result.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  expect(Math.max(...Array.from(actual, (v, i) => Math.abs(v - (expected[i] ?? 0)))) / scale).toBeLessThan(tolerance);
}

/** A layer applied only to concrete tensors has no graph to dispose; its weights are all it holds. */
function disposeWeights(layer: tf.layers.Layer): void {
  for (const weight of layer.weights) (weight as unknown as { dispose(): void }).dispose();
}

afterAll(async () => {
  await selectBackend('wasm');
});

describe("the encoders' layers", () => {
  it.each([[[6, 5, 4, 3]], [[64, 2, 2, 8]], [[10, 7]]])(
    "train batch normalisation of %j on wasm (its own kernels) as tfjs's layer does on cpu: outputs, gradients, moving statistics",
    async (shape) => {
      const compute = () => {
        const layer = batchNormalization({ axis: -1, momentum: 0.9 });
        layer.build(shape);
        const channels = shape.at(-1) as number;
        layer.setWeights([
          tf.tensor1d(values([channels], 3)),
          tf.tensor1d(values([channels], 4)),
          tf.zeros([channels]),
          tf.ones([channels]),
        ]);
        const out = trainOnce(layer, shape);
        disposeWeights(layer);
        return out;
      };
      expectClose(await onBackend('wasm', compute), await onBackend('cpu', compute));
      await selectBackend('wasm');
      const profile = await tf.profile(() => tf.tidy(compute));
      expect(profile.kernels.map((k) => k.name)).toContain(BATCH_NORM_TRAINING_GRAD);
    },
  );

  it("trains a convolution without bias to the same numbers as tfjs's Conv2D, and skips the unused gradient by the input", async () => {
    await selectBackend('wasm');
    const make = (ours: boolean) => () => {
      const args = {
        filters: 4,
        kernelSize: 3,
        padding: 'same' as const,
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: 5 }),
      };
      const layer = ours ? conv2d(args) : tf.layers.conv2d(args);
      layer.build([2, 6, 6, 3]);
      const x = tf.tensor4d(values([2, 6, 6, 3], 6), [2, 6, 6, 3]);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)),
        layer.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      const out = tf.concat([value.flatten(), ...Object.values(grads).map((g) => g.flatten())]);
      tf.dispose([value, grads, x]);
      disposeWeights(layer);
      return out;
    };
    expectClose(await onBackend('wasm', make(true)), await onBackend('wasm', make(false)));
    const kernels = async (compute: () => tf.Tensor) => (await tf.profile(() => compute())).kernels.map((k) => k.name);
    expect(await kernels(make(false))).toContain('Conv2DBackpropInput');
    expect(await kernels(make(true))).not.toContain('Conv2DBackpropInput');
  });

  it('save as plain BatchNormalization and Conv2D, which tfjs loads without this code', async () => {
    await selectBackend('wasm');
    const model = buildFusion(
      [
        { name: 'left', kind: 'image', shape: [8, 8, 1] },
        { name: 'right', kind: 'image', shape: [8, 8, 1] },
      ],
      3,
      DEFAULT_CONFIG,
      new SeedSequence(1),
      'fused',
    );
    const json = model.toJSON(null, false) as {
      config: { layers: { class_name: string; config: { layers?: { class_name: string }[] } }[] };
    };
    const classNames = json.config.layers.flatMap((l) => [
      l.class_name,
      ...(l.config.layers ?? []).map((inner) => inner.class_name),
    ]);
    expect(classNames).toContain('BatchNormalization');
    expect(classNames).toContain('Conv2D');
    const reloaded = await tf.models.modelFromJSON({ modelTopology: json as never });
    expect(reloaded.getWeights().map((w) => w.shape)).toEqual(model.getWeights().map((w) => w.shape));
    const input = [tf.ones([2, 8, 8, 1]), tf.ones([2, 8, 8, 1])];
    reloaded.setWeights(model.getWeights());
    const [ours, theirs] = [model, reloaded].map((m) => (m.predict(input) as tf.Tensor[])[0] as tf.Tensor);
    expectClose(Float32Array.from(await ours!.data()), Float32Array.from(await theirs!.data()), 1e-5);
    tf.dispose([input, ours!, theirs!]);
    model.dispose();
    reloaded.dispose();
  });
});
