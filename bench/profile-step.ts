/**
 * Where one training step's time goes, kernel by kernel (tf.profile): `npm run bench:profile -- cnn|mlp
 * [backend]`. Prints the kernels by total time, then the slowest single calls with their shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../engine/protocol/run';
import { selectBackend, type BackendName } from '../engine/train/backends/select-backend';
import { FeatureSource } from '../engine/train/data-source';
import { trainStep } from '../engine/train/fit';
import { buildFusion, SeedSequence } from '../engine/train/models/networks';
import { BATCH, CLASSES, DISTILL_WEIGHT, SHAPES } from './step-shapes';

const [shapeName = 'cnn', backend = 'wasm'] = process.argv.slice(2);
const shape = SHAPES.find((s) => s.name === shapeName);
if (!shape) throw new Error(`Unknown shape ${shapeName}; expected ${SHAPES.map((s) => s.name).join(' or ')}.`);
const info = await selectBackend(backend as BackendName);
const model = buildFusion(shape.modalities, CLASSES, { ...DEFAULT_CONFIG, ...shape.config }, new SeedSequence(1), 'profile');
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const optimizer = tf.train.adam(1e-3);
const batch = Array.from({ length: BATCH }, (_, i) => i);
const teachers = shape.modalities.map(() => new FeatureSource(new Float32Array(BATCH * shape.featureDim).fill(0.5), shape.featureDim));
const options = {
  source: { inputs: (indices: number[]) => shape.modalities.map((m) => tf.randomUniform([indices.length, ...m.shape])) },
  labels: Int32Array.from(batch, (i) => i % CLASSES),
  classes: CLASSES,
  model,
  extraLoss: (outputs: tf.Tensor[], rows: number[]) =>
    tf.mul(tf.addN(teachers.map((t, m) => tf.mean(tf.squaredDifference(outputs[m + 1] as tf.Tensor, tf.tensor2d(t.rows(rows), [rows.length, t.dim]))))), DISTILL_WEIGHT) as tf.Scalar,
};
const once = async () => {
  const { loss, hits } = trainStep(options, batch, variables, optimizer);
  await loss.data();
  loss.dispose();
  hits.dispose();
};
for (let i = 0; i < 3; i += 1) await once();
const started = performance.now();
const profile = await tf.profile(once);
const wall = performance.now() - started;
const byName = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += Number(kernel.kernelTimeMs) || 0;
  entry.calls += 1;
  byName.set(kernel.name, entry);
}
const out = (line: string) => process.stdout.write(`${line}\n`);
out(`${shape.name} step on ${info.name} (${info.threads} thread(s)): ${wall.toFixed(0)} ms under the profiler, ${profile.kernels.length} kernel calls`);
out('kernel                          total ms  calls   (op wrappers such as fusedConv2d__op include their kernel)');
for (const [name, entry] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) out(`${name.padEnd(30)} ${entry.ms.toFixed(1).padStart(9)} ${String(entry.calls).padStart(6)}`);
out('slowest calls:');
for (const kernel of [...profile.kernels].sort((a, b) => (Number(b.kernelTimeMs) || 0) - (Number(a.kernelTimeMs) || 0)).slice(0, 12)) {
  out(`  ${kernel.name.padEnd(26)} ${Number(kernel.kernelTimeMs).toFixed(1).padStart(7)} ms  in ${JSON.stringify(kernel.inputShapes)}`);
}
optimizer.dispose();
model.dispose();
