import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { selectBackend } from '../../runtime/backends/select-backend';
import { FeatureSource } from '../../train/data-source';
import { trainStep } from '../../train/fit';
import { buildFusion, SeedSequence } from '../../train/models/networks';
import { weightedHeadLosses } from './aux-ce';
import { gBlendWeights, holdOut, meanCrossEntropy } from './g-blending';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('G-Blending (Wang et al. 2020)', () => {
  it('weights each head by G / ΔO² from its loss curves, normalised to sum to 1', () => {
    const weights = gBlendWeights([
      // G = 1.1 − 0.8 = 0.3; O goes 0.1 → 0.3: ΔO = 0.2; 0.3 / 0.04 = 7.5.
      { trainLoss0: 1.0, trainLossN: 0.5, heldOutLoss0: 1.1, heldOutLossN: 0.8 },
      // G = 0.3; O goes 0.1 → 0.8: ΔO = 0.7; 0.3 / 0.49 = 30/49.
      { trainLoss0: 1.2, trainLossN: 0.2, heldOutLoss0: 1.3, heldOutLossN: 1.0 },
      // G = 0.4; O goes 0.1 → 0.5: ΔO = 0.4; 0.4 / 0.16 = 2.5.
      { trainLoss0: 0.9, trainLossN: 0.1, heldOutLoss0: 1.0, heldOutLossN: 0.6 },
    ]);
    // In 49ths: 367.5, 30 and 122.5 of 520.
    expect(weights[0]).toBeCloseTo(367.5 / 520, 10);
    expect(weights[1]).toBeCloseTo(30 / 520, 10);
    expect(weights[2]).toBeCloseTo(122.5 / 520, 10);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('gives 0 to a head whose held-out loss did not drop, and equal weights when none generalizes', () => {
    const rising = { trainLoss0: 1, trainLossN: 0.2, heldOutLoss0: 1, heldOutLossN: 1.4 };
    const good = { trainLoss0: 1, trainLossN: 0.6, heldOutLoss0: 1.1, heldOutLossN: 0.9 };
    expect(gBlendWeights([rising, good])).toEqual([0, 1]);
    expect(gBlendWeights([rising, rising, rising])).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // No measurable overfitting: ΔO² is floored, the weight stays finite.
    const flat = gBlendWeights([{ trainLoss0: 1, trainLossN: 0.5, heldOutLoss0: 1, heldOutLossN: 0.5 }, good]);
    expect(flat.every(Number.isFinite)).toBe(true);
    expect(flat[0]).toBeGreaterThan(0.99);
  });

  it('holds out a fifth of the training split, by seed, never touching validation or test', () => {
    const train = Array.from({ length: 50 }, (_, i) => i * 2);
    const parts = holdOut({ train, seed: 4 });
    expect(parts.heldOut).toHaveLength(10);
    expect(parts.fit).toHaveLength(40);
    expect([...parts.fit, ...parts.heldOut].sort((a, b) => a - b)).toEqual(train);
    expect(holdOut({ train, seed: 4 })).toEqual(parts);
    expect(holdOut({ train, seed: 5 }).heldOut).not.toEqual(parts.heldOut);
    expect(holdOut({ train: [3, 9], seed: 0 }).heldOut).toHaveLength(1);
    expect(() => holdOut({ train: [3], seed: 0 })).toThrow(/at least 2 training samples/);
  });

  it('trains on w_fused · CE(fused) + Σ w_m · CE(head_m)', () => {
    const [samples, classes] = [6, 3];
    const modalities = [
      { name: 'a', kind: 'vector' as const, shape: [2] },
      { name: 'b', kind: 'vector' as const, shape: [3] },
    ];
    const model = buildFusion(
      modalities,
      classes,
      { ...DEFAULT_CONFIG, mlpHidden: [4] },
      new SeedSequence(3),
      'blend',
      { auxiliaryHeads: true },
    );
    const a = Float32Array.from({ length: samples * 2 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: samples * 3 }, (_, i) => Math.cos(i));
    const source = {
      inputs: (batch: number[]) => [
        tf.tensor2d(
          batch.flatMap((s) => Array.from(a.subarray(s * 2, s * 2 + 2))),
          [batch.length, 2],
        ),
        tf.tensor2d(
          batch.flatMap((s) => Array.from(b.subarray(s * 3, s * 3 + 3))),
          [batch.length, 3],
        ),
      ],
    };
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const batch = [0, 1, 2, 3, 4, 5];
    // The cross-entropy of each output before the step (an MLP without batch norm: training mode changes nothing).
    const crossEntropies = tf.tidy(() => {
      const outputs = model.apply(source.inputs(batch), { training: true }) as tf.Tensor[];
      const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      return [outputs[0], outputs[3], outputs[4]].map(
        (logits) => tf.losses.softmaxCrossEntropy(targets, logits as tf.Tensor2D).dataSync()[0]!,
      );
    });
    const [fused, ceA, ceB] = crossEntropies as [number, number, number];
    const weights = { fused: 0.5, a: 0.2, b: 0.3 };
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.sgd(0.01);
    const step = trainStep(
      {
        source: source as unknown as FeatureSource,
        labels,
        classes,
        model,
        taskLossWeight: weights.fused,
        extraLoss: weightedHeadLosses(labels, classes, [weights.a, weights.b]),
      },
      batch,
      variables,
      optimizer,
    );
    expect(step.loss.dataSync()[0]).toBeCloseTo(weights.fused * fused + weights.a * ceA + weights.b * ceB, 5);
    expect(step.extra!.dataSync()[0]).toBeCloseTo(weights.a * ceA + weights.b * ceB, 5);
    tf.dispose([step.loss, step.hits, step.extra!]);
    optimizer.dispose();
    model.dispose();
  });
});

describe("meanCrossEntropy (G-Blending's evaluated losses)", () => {
  it("is tfjs's softmax cross-entropy of the rows it is given", () => {
    const logits = Float32Array.from([2, -1, 0.5, 0, 0, 0, -3, 4, 1]);
    const labels = Int32Array.from([9, 0, 1, 2]);
    const expected = tf.tidy(
      () =>
        tf.losses
          .softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3), tf.tensor2d(logits, [3, 3]))
          .dataSync()[0]!,
    );
    expect(meanCrossEntropy(logits, labels, [1, 2, 3], 3)).toBeCloseTo(expected, 5);
  });
});
