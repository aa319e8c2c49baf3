import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../protocol/run';
import { selectBackend, type BackendName } from './backends/select-backend';
import { FeatureSource, type DataSource } from './data-source';
import { trainStep } from './fit';
import { buildFusion, SeedSequence } from './models/networks';
import { SeededRandom } from '../util/random';
import { BATCH, CLASSES, DISTILL_WEIGHT, type StepShape } from './step-shapes';

export interface StepTiming {
  backend: string;
  threads: number;
  /** Median milliseconds per training step. */
  msPerStep: number;
}

const POOL = 8 * BATCH;

/** In-memory inputs, like the cache's batches: a Float32Array per modality turned into a tensor per step. */
class MemorySource implements DataSource {
  constructor(private readonly data: Float32Array[], private readonly shapes: number[][]) {}
  inputs(indices: number[]): tf.Tensor[] {
    return this.data.map((values, m) => {
      const shape = this.shapes[m] ?? [];
      const size = shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(indices.length * size);
      indices.forEach((index, row) => out.set(values.subarray(index * size, (index + 1) * size), row * size));
      return tf.tensor(out, [indices.length, ...shape]);
    });
  }
}

/**
 * Times the engine's own training step (`trainStep`, the body of the training loop) on one shape: warm-up
 * steps, then `runs` runs of `steps` steps, each ending with a read of the loss (so queued work is done);
 * the median run's time per step.
 */
export async function timeSteps(shape: StepShape, backend: BackendName, runs: number, steps: number, warmup = Math.max(3, Math.ceil(steps / 4))): Promise<StepTiming> {
  const info = await selectBackend(backend);
  const random = new SeededRandom(1);
  const sizes = shape.modalities.map((m) => m.shape.reduce((a, b) => a * b, 1));
  const source = new MemorySource(sizes.map((size) => Float32Array.from({ length: POOL * size }, () => random.next() * 2 - 1)), shape.modalities.map((m) => m.shape));
  const labels = Int32Array.from({ length: POOL }, (_, i) => i % CLASSES);
  const teachers = shape.modalities.map(() => new FeatureSource(Float32Array.from({ length: POOL * shape.featureDim }, () => random.next()), shape.featureDim));
  const model = buildFusion(shape.modalities, CLASSES, { ...DEFAULT_CONFIG, ...shape.config }, new SeedSequence(1), `bench_${shape.name}`);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-3);
  const extraLoss = (outputs: tf.Tensor[], batch: number[]) =>
    tf.mul(tf.addN(teachers.map((t, m) => tf.mean(tf.squaredDifference(outputs[m + 1] as tf.Tensor, tf.tensor2d(t.rows(batch), [batch.length, t.dim]))))), DISTILL_WEIGHT) as tf.Scalar;
  const options = { source, labels, classes: CLASSES, model, extraLoss };
  let cursor = 0;
  const step = async (count: number) => {
    let last: tf.Scalar | null = null;
    for (let i = 0; i < count; i += 1) {
      const batch = Array.from({ length: BATCH }, (_, j) => (cursor + j) % POOL);
      cursor = (cursor + BATCH) % POOL;
      const { loss, hits } = trainStep(options, batch, variables, optimizer);
      hits.dispose();
      last?.dispose();
      last = loss;
    }
    await last?.data();
    last?.dispose();
  };
  await step(warmup);
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await step(steps);
    times.push((performance.now() - started) / steps);
  }
  optimizer.dispose();
  model.dispose();
  times.sort((a, b) => a - b);
  return { backend: info.name, threads: info.threads, msPerStep: times[Math.floor(times.length / 2)] ?? NaN };
}
