import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../runtime/backends/select-backend';
import { FeatureSource } from './data-source';
import { trainStep } from './fit';
import { isLinearClassifier, linearStep } from './linear-step';
import { buildLinear, buildTeacher, SeedSequence } from './models/networks';
import { DEFAULT_CONFIG } from '../protocol/run';

/** The probes' written-out gradient must train a linear classifier exactly as tfjs's autodiff does. */
describe('the linear classifier step', () => {
  it('recognises a linear classifier, and nothing else, as one', async () => {
    await selectBackend('wasm');
    const linear = buildLinear(6, 3, new SeedSequence(1), 'probe');
    const teacher = buildTeacher({ name: 'v', kind: 'vector', shape: [6] }, 3, DEFAULT_CONFIG, new SeedSequence(1));
    expect(isLinearClassifier(linear)).toBe(true);
    expect(isLinearClassifier(teacher)).toBe(false);
    linear.dispose();
    teacher.dispose();
  });

  it.each(['adam', 'sgd'] as const)(
    'takes the same steps as autodiff: losses, hits and weights after five %s steps',
    async (name) => {
      await selectBackend('wasm');
      const [samples, dim, classes] = [40, 6, 3];
      const source = new FeatureSource(
        Float32Array.from({ length: samples * dim }, (_, i) => Math.sin(i * 0.7) * 2),
        dim,
      );
      const labels = Int32Array.from({ length: samples }, (_, i) => (i * 7) % classes);
      const run = (step: typeof trainStep) => {
        const model = buildLinear(dim, classes, new SeedSequence(3), 'probe');
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const optimizer = name === 'adam' ? tf.train.adam(0.05) : tf.train.sgd(0.5);
        const before = tf.memory().numTensors;
        const trace: number[] = [];
        for (let s = 0; s < 5; s += 1) {
          const batch = Array.from({ length: 16 }, (_, i) => (s * 16 + i) % samples);
          const { loss, hits } = step({ source, labels, classes, model }, batch, variables, optimizer);
          trace.push(loss.dataSync()[0]!, hits.dataSync()[0]!);
          loss.dispose();
          hits.dispose();
        }
        // What stays: the optimizer's state, which both steps create alike.
        const kept = tf.memory().numTensors - before;
        const weights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
        optimizer.dispose();
        model.dispose();
        return { trace, weights, kept };
      };
      const autodiff = run(trainStep);
      const written = run(linearStep);
      expect(written.kept).toBe(autodiff.kept);
      written.trace.forEach((v, i) => expect(v).toBeCloseTo(autodiff.trace[i]!, 5));
      written.weights.forEach((v, i) => expect(v).toBeCloseTo(autodiff.weights[i]!, 5));
    },
  );
});
