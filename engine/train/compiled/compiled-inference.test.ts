import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { webgpuForTests } from '../../../test/helpers/webgpu-adapter';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { SeededRandom } from '../../util/random';
import { selectBackend } from '../../runtime/backends/select-backend';
import { FeatureSource, MemorySource, type DataSource } from '../data-source';
import { buildFusion, buildLinear, SeedSequence, type ModalityInput } from '../models/networks';
import { runModel } from '../predict';
import { CompiledInference } from './compiled-inference';
import { contextFor } from '../../runtime/webgpu/gpu-context';
import { webgpuDevice } from '../../runtime/webgpu/webgpu-device';

/** Skipped without a WebGPU adapter; CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1, Mesa 25's lavapipe) must have one. */
const gpu = await webgpuForTests();

/** runModel's outputs on tfjs's cpu backend and on webgpu (checking that the compiled network takes the model and leaves no buffer). */
async function bothWays(
  model: tf.LayersModel,
  source: DataSource,
  indices: number[],
  batchSize: number,
): Promise<{ onCpu: Float32Array[]; onGpu: Float32Array[] }> {
  await selectBackend('cpu');
  const onCpu = await runModel(model, source, indices, batchSize);
  await selectBackend('webgpu');
  const ctx = contextFor(webgpuDevice()!);
  const before = ctx.liveBuffers;
  const compiled = await CompiledInference.create(model, batchSize, source);
  expect(compiled, 'the compiled network takes this model').not.toBeNull();
  compiled!.dispose();
  const onGpu = await runModel(model, source, indices, batchSize);
  expect(ctx.liveBuffers).toBe(before);
  model.dispose();
  await selectBackend('cpu');
  return { onCpu, onGpu };
}

describe.skipIf(gpu === null)('inference on the compiled WebGPU network', () => {
  it("gives runModel's probabilities, features and auxiliary logits of tfjs's cpu backend (1e-4), batch norm on its moving averages, and leaves no buffer", async () => {
    await selectBackend('cpu');
    const random = new SeededRandom(3);
    const modalities: ModalityInput[] = [
      { name: 'image', kind: 'image', shape: [6, 5, 2] },
      { name: 'vector', kind: 'vector', shape: [7] },
    ];
    const model = buildFusion(
      modalities,
      4,
      { ...DEFAULT_CONFIG, mlpHidden: [9, 5], cnnChannels: [3, 4], cnnFeatureDim: 6 },
      new SeedSequence(4),
      'inferred',
      { auxiliaryHeads: true },
    );
    // Trained-looking weights: moving variances positive, everything else anywhere.
    model.setWeights(
      model.weights.map((w) =>
        tf.tensor(
          Float32Array.from({ length: (w.shape as number[]).reduce((a, b) => a * b, 1) }, () =>
            w.name.includes('moving_variance') ? 0.5 + random.next() : random.next() * 2 - 1,
          ),
          w.shape as number[],
        ),
      ),
    );
    const samples = 150; // more than two batches of 64, the last one short
    const source = new MemorySource(
      modalities.map((m) =>
        Float32Array.from({ length: samples * m.shape.reduce((a, b) => a * b, 1) }, () => random.next() * 2 - 1),
      ),
      modalities.map((m) => m.shape),
    );
    const indices = Array.from({ length: samples }, (_, i) => (i * 7) % samples);
    const { onCpu, onGpu } = await bothWays(model, source, indices, 64);
    // Probabilities, two encoders' features, two auxiliary heads' logits.
    expect(onGpu).toHaveLength(5);
    onGpu.forEach((output, k) => {
      expect(output.length).toBe(onCpu[k]!.length);
      output.forEach((value, i) =>
        expect(
          Math.abs(value - onCpu[k]![i]!) / Math.max(Math.abs(onCpu[k]![i]!), 1),
          `output ${k} [${i}]`,
        ).toBeLessThan(1e-4),
      );
    });
  }, 120_000);

  it("gives a linear classifier's probabilities (a probe's test predictions) and nothing else, as tfjs's cpu backend", async () => {
    await selectBackend('cpu');
    const random = new SeededRandom(5);
    const model = buildLinear(19, 6, new SeedSequence(7), 'probe');
    const samples = 90;
    const features = new FeatureSource(
      Float32Array.from({ length: samples * 19 }, () => random.next() * 4 - 2),
      19,
    );
    const indices = Array.from({ length: samples }, (_, i) => (i * 11) % samples);
    const { onCpu, onGpu } = await bothWays(model, features, indices, 32);
    expect(onGpu).toHaveLength(1);
    expect(onGpu[0]!.length).toBe(samples * 6);
    onGpu[0]!.forEach((value, i) => expect(Math.abs(value - onCpu[0]![i]!), `probability ${i}`).toBeLessThan(1e-5));
  }, 120_000);
});
