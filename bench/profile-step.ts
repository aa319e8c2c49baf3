/**
 * Where one training step's time goes, kernel by kernel: `npm run bench:profile -- cnn|mlp [backend]`.
 * Prints the kernels by total wall time (bench/kernel-timer.ts), then the slowest single calls with their
 * input shapes. The rest of the step (the gap between the two totals) is JavaScript: the tape, the
 * optimizer's bookkeeping, tensor allocation.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../engine/protocol/run';
import { selectBackend, type BackendName } from '../engine/runtime/backends/select-backend';
import { FeatureSource } from '../engine/train/data-source';
import { trainStep } from '../engine/train/fit';
import { buildFusion, SeedSequence } from '../engine/train/models/networks';
import { timeKernels } from './kernel-timer';
import { BATCH, CLASSES, DISTILL_WEIGHT, SHAPES } from '../engine/train/step-shapes';

const [shapeName = 'cnn', backend = 'wasm'] = process.argv.slice(2);
const shape = SHAPES.find((s) => s.name === shapeName);
if (!shape) throw new Error(`Unknown shape ${shapeName}; expected ${SHAPES.map((s) => s.name).join(' or ')}.`);
const info = await selectBackend(backend as BackendName);
const timer = timeKernels(info.name);
const model = buildFusion(
  shape.modalities,
  CLASSES,
  { ...DEFAULT_CONFIG, ...shape.config },
  new SeedSequence(1),
  'profile',
);
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const optimizer = tf.train.adam(1e-3);
const batch = Array.from({ length: BATCH }, (_, i) => i);
const teachers = shape.modalities.map(
  () => new FeatureSource(new Float32Array(BATCH * shape.featureDim).fill(0.5), shape.featureDim),
);
const options = {
  source: {
    inputs: (indices: number[]) => shape.modalities.map((m) => tf.randomUniform([indices.length, ...m.shape])),
  },
  labels: Int32Array.from(batch, (i) => i % CLASSES),
  classes: CLASSES,
  model,
  extraLoss: (outputs: tf.Tensor[], rows: number[]) =>
    tf.mul(
      tf.addN(
        teachers.map((t, m) =>
          tf.mean(tf.squaredDifference(outputs[m + 1] as tf.Tensor, tf.tensor2d(t.rows(rows), [rows.length, t.dim]))),
        ),
      ),
      DISTILL_WEIGHT,
    ) as tf.Scalar,
};
const once = async () => {
  const { loss, hits } = trainStep(options, batch, variables, optimizer);
  await loss.data();
  loss.dispose();
  hits.dispose();
};
for (let i = 0; i < 5; i += 1) await once();
const STEPS = 5;
timer.reset();
const started = performance.now();
for (let i = 0; i < STEPS; i += 1) await once();
const wall = (performance.now() - started) / STEPS;
const totals = timer.totals();
const inKernels = totals.reduce((sum, k) => sum + k.ms, 0) / STEPS;
const out = (line: string) => process.stdout.write(`${line}\n`);
out(
  `${shape.name} step on ${info.name} (${info.threads} thread(s)): ${wall.toFixed(1)} ms per step (mean of ${STEPS}), ${inKernels.toFixed(1)} ms in kernels, ${(totals.reduce((n, k) => n + k.calls, 0) / STEPS).toFixed(0)} kernel calls`,
);
out('kernel                                  ms/step  calls/step');
for (const k of totals.slice(0, 24))
  out(`${k.name.padEnd(38)} ${(k.ms / STEPS).toFixed(2).padStart(8)} ${(k.calls / STEPS).toFixed(0).padStart(8)}`);
out('slowest calls:');
for (const call of timer.slowest(40))
  out(`  ${call.name.padEnd(36)} ${call.ms.toFixed(2).padStart(7)} ms  in ${JSON.stringify(call.shapes)}`);
optimizer.dispose();
model.dispose();
