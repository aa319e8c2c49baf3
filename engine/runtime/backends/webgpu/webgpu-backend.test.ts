import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../protocol/run';
import { FeatureSource } from '../../../train/data-source';
import { trainStep } from '../../../train/fit';
import { buildFusion, SeedSequence } from '../../../train/models/networks';
import { SeededRandom } from '../../../util/random';
import { selectBackend } from '../select-backend';
import { webgpuForTests } from '../../../../test/helpers/webgpu-adapter';

/**
 * Where there is no WebGPU adapter (no Vulkan driver, or Debian 12's Mesa 22), these tests are skipped;
 * CI installs Mesa 25's lavapipe and sets MODALITY_STUDIO_REQUIRE_WEBGPU=1, so there they must run.
 */
const adapter = (await webgpuForTests())?.info ?? null;

/** Losses of `steps` Adam steps of a small fused MLP with distillation-free cross-entropy, from one seed. */
async function losses(backend: 'webgpu' | 'cpu', steps: number): Promise<number[]> {
  await selectBackend(backend);
  const random = new SeededRandom(3);
  const [samples, dim, classes] = [32, 12, 4];
  const a = new FeatureSource(
    Float32Array.from({ length: samples * dim }, () => random.next() * 2 - 1),
    dim,
  );
  const b = new FeatureSource(
    Float32Array.from({ length: samples * dim }, () => random.next() * 2 - 1),
    dim,
  );
  const source = { inputs: (batch: number[]) => [...a.inputs(batch), ...b.inputs(batch)] };
  const labels = Int32Array.from({ length: samples }, (_, i) => i % classes);
  const modalities = [
    { name: 'a', kind: 'vector' as const, shape: [dim] },
    { name: 'b', kind: 'vector' as const, shape: [dim] },
  ];
  const model = buildFusion(
    modalities,
    classes,
    { ...DEFAULT_CONFIG, mlpHidden: [16, 8] },
    new SeedSequence(5),
    `fused_${backend}`,
  );
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-2);
  const out: number[] = [];
  for (let s = 0; s < steps; s += 1) {
    const batch = Array.from({ length: 16 }, (_, i) => (s * 16 + i) % samples);
    const { loss, hits } = trainStep(
      { source: source as unknown as FeatureSource, labels, classes, model },
      batch,
      variables,
      optimizer,
    );
    out.push((await loss.data())[0]!);
    tf.dispose([loss, hits]);
  }
  optimizer.dispose();
  model.dispose();
  return out;
}

describe.skipIf(adapter === null)('the webgpu backend (Dawn)', () => {
  it("records the adapter and trains to the cpu backend's losses", async () => {
    const info = await selectBackend('webgpu');
    expect(info.adapter).toEqual(adapter);
    expect(info.adapter?.description).not.toBe('');
    const gpu = await losses('webgpu', 5);
    const cpu = await losses('cpu', 5);
    gpu.forEach((value, i) => expect(Math.abs(value - cpu[i]!) / Math.abs(cpu[i]!)).toBeLessThan(1e-4));
    // Training moved: the losses are not all the same.
    expect(new Set(cpu.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
  }, 60_000);
});
