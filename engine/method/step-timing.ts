import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type RunConfig } from '../protocol/run';
import { selectBackend, type BackendName } from '../runtime/backends/select-backend';
import { FeatureSource, MemorySource } from '../train/data-source';
import { trainStep } from '../train/fit';
import type { ExtraLoss } from '../train/loss-terms';
import { distillationLoss } from './methods/umt';
import type { TrainedTeacher } from './teachers';
import { buildFusion, buildTeacher, SeedSequence, type ModalityInput } from '../train/models/networks';
import { SeededRandom } from '../util/random';
import { BATCH, CLASSES, DISTILL_WEIGHT } from '../train/step-shapes';
import { CompiledTrainer } from '../train/compiled/compiled-trainer';

export interface StepTiming {
  backend: string;
  threads: number;
  /** Median milliseconds per training step. */
  msPerStep: number;
  /**
   * Of that, the JavaScript time to issue the step (gather the batch, record or encode the kernels, submit),
   * without waiting for the device: the per-step overhead a GPU cannot hide. Equal to the step on a CPU backend.
   */
  hostMsPerStep: number;
  /** The step ran on the engine's compiled WebGPU step (engine/runtime/webgpu), as training would. */
  compiled?: boolean;
}

/** What is timed: a late-fusion network of these modalities, built with this config (the run's, or a bench shape's). */
export interface TimedShape {
  modalities: ModalityInput[];
  config: Pick<RunConfig, 'mlpHidden' | 'cnnChannels' | 'cnnFeatureDim'>;
  classes?: number;
  batch?: number;
  /** A teacher's step (one modality, cross-entropy alone) instead of the fused UMT step. */
  teacher?: boolean;
}

/**
 * Times the engine's UMT training step (or a teacher's, with `teacher`) on one shape as a run would train it: the compiled WebGPU step where
 * fit.ts would take it, else `trainStep` (the body of the training loop). Warm-up steps, then `runs` runs of
 * `steps` steps, each ending with a read of the loss (so queued work is done); the median run's time per step.
 */
export async function timeSteps(
  shape: TimedShape,
  backend: BackendName,
  runs: number,
  steps: number,
  warmup = Math.max(3, Math.ceil(steps / 4)),
): Promise<StepTiming> {
  const info = await selectBackend(backend);
  const batchSize = shape.batch ?? BATCH;
  const classes = shape.classes ?? CLASSES;
  const pool = 8 * batchSize;
  const random = new SeededRandom(1);
  const sizes = shape.modalities.map((m) => m.shape.reduce((a, b) => a * b, 1));
  const source = new MemorySource(
    sizes.map((size) => Float32Array.from({ length: pool * size }, () => random.next() * 2 - 1)),
    shape.modalities.map((m) => m.shape),
  );
  const labels = Int32Array.from({ length: pool }, (_, i) => i % classes);
  const config = { ...DEFAULT_CONFIG, ...shape.config };
  const teacherOf = shape.teacher ? shape.modalities[0] : undefined;
  const model = teacherOf
    ? buildTeacher(teacherOf, classes, config, new SeedSequence(1))
    : buildFusion(shape.modalities, classes, config, new SeedSequence(1), 'timed_step');
  const featureDims = model.outputs.slice(1).map((output) => output.shape.at(-1) ?? 0);
  const teachers = featureDims.map((dim) => ({
    features: new FeatureSource(
      Float32Array.from({ length: pool * dim }, () => random.next()),
      dim,
    ),
  }));
  const extraLoss: ExtraLoss | undefined = teacherOf
    ? undefined
    : distillationLoss(teachers as unknown as TrainedTeacher[], DISTILL_WEIGHT);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-3);
  const compiled = await CompiledTrainer.create(
    {
      model,
      batchSize,
      classes,
      optimizer: 'adam',
      source,
      ...(extraLoss?.distillation ? { distillation: extraLoss.distillation } : {}),
      resident: { indices: Array.from({ length: pool }, (_, i) => i), labels },
    },
    variables,
  );
  const options = { source, labels, classes, model, ...(extraLoss ? { extraLoss } : {}) };
  let cursor = 0;
  const step = async (count: number): Promise<number> => {
    let last: tf.Scalar | null = null;
    const issued = performance.now();
    for (let i = 0; i < count; i += 1) {
      const batch = Array.from({ length: batchSize }, (_, j) => (cursor + j) % pool);
      cursor = (cursor + batchSize) % pool;
      if (compiled) {
        compiled.train(source, labels, batch, 1e-3);
        continue;
      }
      const { loss, hits, extra } = trainStep(options, batch, variables, optimizer);
      tf.dispose([hits, extra].filter((t) => t !== undefined));
      last?.dispose();
      last = loss;
    }
    const hostMs = performance.now() - issued;
    if (compiled) await compiled.settle();
    await last?.data();
    last?.dispose();
    return hostMs;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  try {
    await step(warmup);
    const times: number[] = [];
    const hostTimes: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      hostTimes.push((await step(steps)) / steps);
      times.push((performance.now() - started) / steps);
    }
    return {
      backend: info.name,
      threads: info.threads,
      msPerStep: median(times),
      hostMsPerStep: median(hostTimes),
      ...(compiled ? { compiled: true } : {}),
    };
  } finally {
    compiled?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
