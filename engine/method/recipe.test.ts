import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../protocol/run';
import { selectBackend } from '../runtime/backends/select-backend';
import { FeatureSource } from '../train/data-source';
import { disposeOptimizer, setLearningRate, trainStep } from '../train/fit';
import { makeOptimizer } from '../train/optimizers';
import { OGM_GE_RECIPE } from './methods/ogm-ge';
import { recipeFor, runRecipe } from './recipe';
import { LearningRateSchedule } from '../train/schedule';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** A 4 → 3 dense classifier with fixed weights (its own copy each call). */
function classifier(): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: 'zeros' })] });
  model.setWeights([
    tf.tensor2d(
      Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
      [4, 3],
    ),
    tf.tensor1d([0.1, -0.2, 0.05]),
  ]);
  return model;
}

describe('recipes: each method trains as it declares', () => {
  it("trains with SGD + momentum + weight decay exactly as tfjs's SGD on the gradient plus wd·w (PyTorch's weight_decay)", () => {
    const source = new FeatureSource(
      Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)),
      4,
    );
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const batch = [0, 1, 2, 3, 4, 5];
    const ours = classifier();
    const reference = classifier();
    const oursOptimizer = tf.train.momentum(1e-3 * 50, 0.9);
    const referenceOptimizer = tf.train.momentum(1e-3 * 50, 0.9);
    const referenceVariables = reference.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let step = 0; step < 3; step += 1) {
      const { loss, hits } = trainStep(
        { source, labels, classes: 3, model: ours, weightDecay: 1e-4 * 100 },
        batch,
        ours.trainableWeights.map((w) => w.read() as tf.Variable),
        oursOptimizer,
      );
      tf.dispose([loss, hits]);
      // The reference: plain tfjs, the L2 term's gradient added by hand.
      const { value, grads } = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy(
            tf.oneHot(tf.tensor1d(labels, 'int32'), 3),
            reference.apply(source.inputs(batch)[0]!) as tf.Tensor2D,
          ) as tf.Scalar,
        referenceVariables,
      );
      const decayed = Object.fromEntries(
        Object.entries(grads).map(([name, g]) => [
          name,
          tf.add(
            g,
            tf.mul(
              referenceVariables.find((v) => v.name === name)!,
              1e-4 * 100,
            ),
          ),
        ]),
      );
      referenceOptimizer.applyGradients(decayed);
      tf.dispose([value, ...Object.values(grads), ...Object.values(decayed)]);
    }
    const weightsOf = (m: tf.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weightsOf(ours)).toEqual(weightsOf(reference));
    // And weight decay does change the numbers (the test would pass for a no-op otherwise).
    const plain = classifier();
    const plainOptimizer = tf.train.momentum(1e-3 * 50, 0.9);
    for (let step = 0; step < 3; step += 1)
      tf.dispose(
        Object.values(
          trainStep(
            { source, labels, classes: 3, model: plain },
            batch,
            plain.trainableWeights.map((w) => w.read() as tf.Variable),
            plainOptimizer,
          ),
        ),
      );
    expect(weightsOf(plain)).not.toEqual(weightsOf(ours));
    [ours, reference, plain].forEach((m) => m.dispose());
  });

  it("declares OGM-GE's authors' recipe, which a run uses unless it shares its own with every method", () => {
    expect(OGM_GE_RECIPE).toEqual({
      optimizer: 'sgd',
      learningRate: 1e-3,
      momentum: 0.9,
      weightDecay: 1e-4,
      schedule: 'step',
      stepShare: 0.7,
    });
    expect(recipeFor(OGM_GE_RECIPE, DEFAULT_CONFIG)).toBe(OGM_GE_RECIPE);
    expect(recipeFor(OGM_GE_RECIPE, { ...DEFAULT_CONFIG, recipe: 'shared' })).toEqual({
      optimizer: 'adam',
      learningRate: 1e-3,
      momentum: 0,
      weightDecay: 0,
      schedule: 'plateau',
    });
    expect(recipeFor(undefined, { ...DEFAULT_CONFIG, optimizer: 'sgd', weightDecay: 5e-4 })).toEqual(
      runRecipe({ ...DEFAULT_CONFIG, optimizer: 'sgd', weightDecay: 5e-4 }),
    );
  });

  it("steps the rate ×0.1 at 70% of the epochs for OGM-GE's StepLR(70, 0.1) of 100", () => {
    const schedule = new LearningRateSchedule('step', 1e-3, 100, { stepShare: 0.7 });
    const rates = Array.from({ length: 100 }, (_, i) => schedule.afterEpoch(i + 1, 1));
    expect(rates[68]).toBe(1e-3);
    expect(rates[69]).toBeCloseTo(1e-4, 12);
    expect(rates[98]).toBeCloseTo(1e-4, 12);
  });

  it("gives SGD the rate the schedule sets (tfjs's momentum optimizer reads a scalar only its setLearningRate renews), and leaks nothing", () => {
    const before = tf.memory().numTensors;
    const zero = tf.scalar(0);
    const variable = tf.variable(zero);
    zero.dispose();
    const optimizer = makeOptimizer('sgd', 1);
    setLearningRate(optimizer, 0.1);
    const gradient = tf.scalar(1);
    optimizer.applyGradients({ [variable.name]: gradient });
    // One step from 0 with gradient 1 and no momentum yet: −rate.
    expect(variable.dataSync()[0]).toBeCloseTo(-0.1, 7);
    disposeOptimizer(optimizer);
    tf.dispose([gradient, variable]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
