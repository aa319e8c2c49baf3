import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, writeFiles } from '../../../test/helpers/dataset-folder';
import { prepareDataset } from '../../data/prepare';
import { selectBackend } from '../../runtime/backends/select-backend';
import { runPipeline } from '../pipeline';
import {
  fusedLayout,
  lastModulatedEpoch,
  ogmCoefficients,
  ogmGradientHook,
  ogmScores,
  type FusedLayout,
} from './ogm-ge';
import { buildFusion, SeedSequence } from '../../train/models/networks';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { CoefficientTally } from '../../train/coefficient-tally';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A layout with a given head and made-up encoder weight names `w<u>`, one per modality. */
function layout(kernel: number[][], bias: number[], featureSizes: number[]): FusedLayout {
  return {
    encoderWeights: featureSizes.map((_, u) => [`w${u}`]),
    headKernel: tf.tidy(() => tf.variable(tf.tensor2d(kernel))),
    headBias: tf.tidy(() => tf.variable(tf.tensor1d(bias))),
    featureSizes,
  };
}

/**
 * Two samples (classes 0 and 1) and two modalities of 2 features: a's features [1,0], [0,1]; b's [2,0], [0,0].
 * The head's rows of a are the identity, of b swapped; bias [0.2, −0.2].
 */
function twoModalities() {
  const head = layout(
    [
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 0],
    ],
    [0.2, -0.2],
    [2, 2],
  );
  const features = [
    tf.tensor2d([
      [1, 0],
      [0, 1],
    ]),
    tf.tensor2d([
      [2, 0],
      [0, 0],
    ]),
  ];
  return {
    head,
    features,
    targets: tf.tensor2d([
      [1, 0],
      [0, 1],
    ]),
  };
}

function sampleStd(values: ArrayLike<number>): number {
  const list = Array.from(values);
  const mean = list.reduce((s, v) => s + v, 0) / list.length;
  return Math.sqrt(list.reduce((s, v) => s + (v - mean) ** 2, 0) / (list.length - 1));
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('OGM-GE (Peng et al. 2022)', () => {
  it('coefficient: 1 − tanh(α·ρ) for a modality scoring above the weakest, 1 for the weakest (Eq. 10)', () => {
    // Two modalities, scores 3 and 1.5: ρ = 2 for the dominant one.
    const two = ogmCoefficients([3, 1.5], 0.1);
    expect(two[0]).toBeCloseTo(1 - Math.tanh(0.2), 12);
    expect(two[0]).toBeCloseTo(0.802625, 6);
    expect(two[1]).toBe(1);
    // Three modalities: each is compared with the weakest (BalanceBenchmark's rule for three).
    const three = ogmCoefficients([4, 2, 1], 0.5);
    expect(three).toEqual([1 - Math.tanh(2), 1 - Math.tanh(1), 1]);
    expect(ogmCoefficients([2, 2], 0.8)).toEqual([1, 1]);
    expect(lastModulatedEpoch(100, 0.5)).toBe(50);
    expect(lastModulatedEpoch(30, 0.5)).toBe(15);
  });

  it('scores each modality by the true-class softmax of its part of the head, with 1/M of the bias', () => {
    const { head, features, targets } = twoModalities();
    const scores = ogmScores(head, features, targets).arraySync();
    // a: logits [1.1, −0.1] (true class 0) and [0.1, 0.9] (true class 1).
    expect(scores[0]).toBeCloseTo(sigmoid(1.2) + sigmoid(0.8), 5);
    // b: logits [0.1, 1.9] and [0.1, −0.1].
    expect(scores[1]).toBeCloseTo(sigmoid(-1.8) + sigmoid(-0.2), 5);
    tf.dispose([...features, targets, head.headKernel, head.headBias]);
  });

  it('scales the dominant encoder by its coefficient (k = 0.5) and adds noise with the sd of the unmodulated gradient, as main.py', () => {
    const tensors = tf.memory().numTensors;
    const { head, features, targets } = twoModalities();
    const scores = [sigmoid(1.2) + sigmoid(0.8), sigmoid(-1.8) + sigmoid(-0.2)];
    // α chosen so that the dominant modality's k = 1 − tanh(α·ρ) is 0.5.
    const alpha = Math.atanh(0.5) / (scores[0]! / scores[1]!);
    const k = ogmCoefficients(scores, alpha);
    expect(k[0]).toBeCloseTo(0.5, 12);
    expect(k[1]).toBe(1);
    const hook = ogmGradientHook(head, { alpha, lastModulatedEpoch: 2, seed: 5 });
    const step = { outputs: [tf.zeros([2, 2]), ...features], targets, batch: [0, 1], step: 0 };

    // A constant gradient has sd 0: GE adds only N(0, 1e-8), so what comes back is k·g.
    const constant = { w0: tf.fill([50, 40], 2), w1: tf.fill([50, 40], 2), other: tf.ones([3]) };
    const scaled = hook(constant, { ...step, epoch: 1 });
    const values = (t: tf.Tensor) => Array.from(t.dataSync());
    const spread = (list: number[]) => Math.max(...list) - Math.min(...list);
    // Every element k·g, up to float32 rounding (the sd of 2,000 equal float32 values comes out ~1e-5, not 0).
    expect(spread(values(scaled.w0!))).toBeLessThan(5e-4);
    expect(values(scaled.w0!)[0]).toBeCloseTo(2 * k[0]!, 3);
    expect(spread(values(scaled.w1!))).toBeLessThan(5e-4);
    expect(values(scaled.w1!)[0]).toBeCloseTo(2, 3);
    expect(scaled.other).toBe(constant.other);

    // Gradients of sd 1 (alternating ±1): the noise's sd is that of g, 1, for both encoders; not k·sd = 0.5
    // for the dominant one (main.py reads parms.grad.std() before assigning the modulated gradient).
    const alternating = () =>
      tf.tensor2d(
        Array.from({ length: 200 * 100 }, (_, i) => (i % 2 === 0 ? 1 : -1)),
        [200, 100],
      );
    const signs = { w0: alternating(), w1: alternating() };
    const noisy = hook(signs, { ...step, epoch: 2 });
    const plain = signs.w0.dataSync();
    const noise0 = Array.from(noisy.w0!.dataSync(), (v, i) => v - k[0]! * plain[i]!);
    const noise1 = Array.from(noisy.w1!.dataSync(), (v, i) => v - plain[i]!);
    const sd = sampleStd(plain);
    expect(sampleStd(noise0) / sd).toBeCloseTo(1, 1);
    expect(Math.abs(sampleStd(noise0) / sd - 0.5)).toBeGreaterThan(0.4);
    expect(sampleStd(noise1) / sd).toBeCloseTo(1, 1);
    // The same step draws the same noise (runs repeat); another step draws other noise.
    const again = hook(signs, { ...step, epoch: 2 });
    expect(Array.from(again.w0!.dataSync())).toEqual(Array.from(noisy.w0!.dataSync()));
    const next = hook(signs, { ...step, epoch: 2, step: 1 });
    expect(Array.from(next.w0!.dataSync())).not.toEqual(Array.from(noisy.w0!.dataSync()));

    // After the modulated epochs, nothing changes.
    expect(hook(signs, { ...step, epoch: 3 })).toBe(signs);
    tf.dispose([scaled.w0!, scaled.w1!, noisy.w0!, noisy.w1!, again.w0!, again.w1!, next.w0!, next.w1!]);
    tf.dispose([
      ...Object.values(constant),
      ...Object.values(signs),
      ...step.outputs,
      targets,
      head.headKernel,
      head.headBias,
    ]);
    // Nothing the hook made outlives what it returned.
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('with three modalities slows each one scoring above the weakest, the weakest not at all', () => {
    // Feature size 1 each; head rows 3, 1, 0 for class 0 and 0 for class 1; all samples of class 0.
    const head = layout(
      [
        [3, 0],
        [1, 0],
        [0, 0],
      ],
      [0, 0],
      [1, 1, 1],
    );
    const ones = tf.ones([4, 1]);
    const targets = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const scores = [4 * sigmoid(3), 4 * sigmoid(1), 4 * 0.5];
    expect(Array.from(ogmScores(head, [ones, ones, ones], targets).dataSync()).map((v) => +v.toFixed(5))).toEqual(
      scores.map((v) => +v.toFixed(5)),
    );
    const k = ogmCoefficients(scores, 0.1);
    const grads = { w0: tf.fill([4, 4], 1), w1: tf.fill([4, 4], 1), w2: tf.fill([4, 4], 1) };
    const out = ogmGradientHook(head, { alpha: 0.1, lastModulatedEpoch: 1, seed: 0 })(grads, {
      outputs: [tf.zeros([4, 2]), ones, ones, ones],
      targets,
      batch: [0, 1, 2, 3],
      epoch: 1,
      step: 0,
    });
    [0, 1, 2].forEach((u) => expect(out[`w${u}`]!.dataSync()[0]).toBeCloseTo(k[u]!, 5));
    expect(k[0]).toBeLessThan(k[1]!);
    expect(k[2]).toBe(1);
  });

  it("tallies each modality's coefficient over the modulated steps only, for the run's record", async () => {
    const tensors = tf.memory().numTensors;
    const head = layout(
      [
        [3, 0],
        [1, 0],
        [0, 0],
      ],
      [0, 0],
      [1, 1, 1],
    );
    const ones = tf.ones([4, 1]);
    const halves = tf.fill([4, 1], 0.5);
    const targets = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const tally = new CoefficientTally(3);
    const hook = ogmGradientHook(head, { alpha: 0.1, lastModulatedEpoch: 1, seed: 0, tally });
    const grads = { w0: tf.fill([4, 4], 1), w1: tf.fill([4, 4], 1), w2: tf.fill([4, 4], 1) };
    // Step 0 with features 1, step 1 with features ½ (other scores, so other coefficients), then an epoch that does not modulate.
    const logits = tf.zeros([4, 2]);
    const stepWith = (f: tf.Tensor, epoch: number, step: number) =>
      hook(grads, { outputs: [logits, f, f, f], targets, batch: [0, 1, 2, 3], epoch, step });
    const outputs = [stepWith(ones, 1, 0), stepWith(halves, 1, 1), stepWith(ones, 2, 0)];
    const first = ogmCoefficients([4 * sigmoid(3), 4 * sigmoid(1), 2], 0.1);
    const second = ogmCoefficients([4 * sigmoid(1.5), 4 * sigmoid(0.5), 2], 0.1);
    const means = await tally.means();
    expect(means?.map((m) => m.steps)).toEqual([2, 2, 2]);
    means?.forEach((m, u) => expect(m.meanCoefficient).toBeCloseTo(((first[u] ?? 0) + (second[u] ?? 0)) / 2, 5));
    // Sums read back from the compiled step add to the same record.
    tally.addSums([0, 0, 3], 3);
    expect((await tally.means())?.map((m) => m.steps)).toEqual([5, 5, 5]);
    expect((await tally.means())?.[2]?.meanCoefficient).toBeCloseTo(1, 6);
    tally.dispose();
    outputs.forEach((out) => tf.dispose(Object.values(out).filter((t) => !Object.values(grads).includes(t))));
    tf.dispose([...Object.values(grads), logits, ones, halves, targets, head.headKernel, head.headBias]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await new CoefficientTally(2).means()).toBeNull();
  });

  it("finds a fused model's encoder kernels (not biases) and the head's rows per modality", () => {
    const modalities = [
      { name: 'a', kind: 'vector' as const, shape: [3] },
      { name: 'b c', kind: 'vector' as const, shape: [2] },
    ];
    const model = buildFusion(modalities, 2, { ...DEFAULT_CONFIG, mlpHidden: [4, 5] }, new SeedSequence(1), 'ogm');
    const found = fusedLayout(model, ['a', 'b c']);
    expect(found.featureSizes).toEqual([5, 5]);
    expect(found.encoderWeights.map((names) => names.length)).toEqual([2, 2]);
    expect(found.headKernel.shape).toEqual([10, 2]);
    const all = new Set(model.trainableWeights.map((w) => (w.read() as tf.Variable).name));
    found.encoderWeights.flat().forEach((name) => expect(all.has(name)).toBe(true));
    model.dispose();
  });
});

describe('OGM-GE in a run of three modalities', () => {
  const dir = makeTempDir('ogm-three');
  const cacheDir = makeTempDir('ogm-three-cache');
  afterAll(() => [dir, cacheDir].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('trains, predicts and probes every modality', async () => {
    // Three vector modalities; the label is in x (strongly), y (weakly), z (not at all).
    const lines = ['id,label,split,x.0,x.1,y.0,y.1,z.0'];
    for (let i = 0; i < 120; i += 1) {
      const label = i % 2;
      const split = i < 80 ? 'train' : i < 100 ? 'val' : 'test';
      lines.push(
        `s${i},${label ? 'p' : 'q'},${split},${label * 2 + Math.sin(i)},${Math.cos(i)},${label * 0.5 + Math.sin(3 * i)},${Math.cos(5 * i)},${Math.sin(7 * i)}`,
      );
    }
    writeFiles(dir, { 'manifest.csv': `${lines.join('\n')}\n` });
    const { dataset } = await prepareDataset(dir, { cacheDir });
    const { result, models } = await runPipeline(
      dataset!,
      {
        backend: 'wasm',
        seed: 3,
        epochs: 3,
        teacherEpochs: 3,
        probeEpochs: 3,
        bootstrapSamples: 100,
        methods: ['ogm-ge'],
      },
      {},
    );
    models.dispose();
    dataset!.reader.close();
    expect(result.candidates['ogm-ge']!.val.perSeed).toHaveLength(1);
    expect(
      result.laziness
        .filter((l) => l.model === 'ogm-ge')
        .map((l) => l.modality)
        .sort(),
    ).toEqual(['x', 'y', 'z']);
  }, 60_000);
});
