import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, methodLabel } from '../../protocol/run';
import { selectBackend } from '../../runtime/backends/select-backend';
import { FeatureSource } from '../../train/data-source';
import { trainStep } from '../../train/fit';
import { buildTeacher, SeedSequence } from '../../train/models/networks';
import type { TrainedTeacher } from '../teachers';
import type { MethodContext } from './method';
import { METHODS, methodsFor } from './registry';
import { teacherMethod } from './teacher';
import { averagePredictions, ume } from './ume';
import { distillationLoss, distillWeights } from './umt';
import { auxiliaryCrossEntropy } from './aux-ce';
import { buildFusion } from '../../train/models/networks';

/** A teacher with given probabilities and features of every sample; its network is a stand-in. */
function teacher(modality: string, probabilities: number[], features: number[], dim: number): TrainedTeacher {
  return {
    modality,
    seed: 0,
    model: { name: `teacher-${modality}` } as unknown as tf.LayersModel,
    probabilities: Float32Array.from(probabilities),
    features: new FeatureSource(Float32Array.from(features), dim),
    fit: { history: [], bestEpoch: 1, stoppedEarly: false },
    trainingMs: 5,
  };
}

describe('the method registry', () => {
  it('lists late fusion, UME and UMT, then each teacher alone, with unique ids', () => {
    expect(METHODS.map((m) => m.id)).toEqual([
      'late-fusion',
      'ume',
      'umt',
      'aux-ce',
      'modality-dropout',
      'ogm-ge',
      'g-blending',
    ]);
    const all = methodsFor(['audio', 'video']);
    expect(all.map((m) => m.id)).toEqual([
      'late-fusion',
      'ume',
      'umt',
      'aux-ce',
      'modality-dropout',
      'ogm-ge',
      'g-blending',
      'teacher:audio',
      'teacher:video',
    ]);
    expect(new Set(all.map((m) => m.label)).size).toBe(all.length);
  });

  it('names each method in the protocol as the registry does (the UI and CLI label runs without loading the engine)', () => {
    METHODS.forEach((m) => expect(methodLabel(m.id)).toBe(m.label));
  });

  it('trains UMT only when the run goes on with UMT; late fusion, UME and the teachers always', () => {
    const names = (goOn: 'umt' | 'ume', requested: string[] = []) =>
      methodsFor(['a'])
        .filter((m) => m.trainsIn({ goOn, requested }))
        .map((m) => m.id);
    expect(names('umt')).toEqual(['late-fusion', 'ume', 'umt', 'teacher:a']);
    expect(names('ume')).toEqual(['late-fusion', 'ume', 'teacher:a']);
    // Asked for, a method trains whatever the decision: UMT beside UME, Auxiliary-CE in any run.
    expect(names('ume', ['umt', 'aux-ce'])).toEqual(['late-fusion', 'ume', 'umt', 'aux-ce', 'teacher:a']);
  });
});

describe('UME', () => {
  it("predicts the plain average of the teachers' softmax outputs (paper A.2)", async () => {
    // Two samples, two classes: teacher a says [0.9, 0.1], [0.2, 0.8]; teacher b [0.5, 0.5], [0.6, 0.4].
    const teachers = [teacher('a', [0.9, 0.1, 0.2, 0.8], [0, 0], 1), teacher('b', [0.5, 0.5, 0.6, 0.4], [0, 0], 1)];
    expect(Array.from(averagePredictions(teachers, [0, 1], 2)).map((v) => +v.toFixed(6))).toEqual([0.7, 0.3, 0.4, 0.6]);
    expect(Array.from(averagePredictions(teachers, [1], 2)).map((v) => +v.toFixed(6))).toEqual([0.4, 0.6]);
    const [candidate] = await ume.train({
      run: { all: [0, 1], classes: ['x', 'y'] },
      teachers,
    } as unknown as MethodContext);
    expect(Array.from(candidate!.probabilities).map((v) => +v.toFixed(6))).toEqual([0.7, 0.3, 0.4, 0.6]);
    // It trains nothing: its networks are the teachers', which it does not own.
    expect(candidate).toMatchObject({ method: 'ume', ownsNetworks: false, encoderFeatures: null, trainingMs: 0 });
    expect(candidate!.networks.map((n) => n.modalities)).toEqual([['a'], ['b']]);
  });
});

describe('each teacher alone', () => {
  it("predicts with its teacher's softmax and says what its modality achieves by itself", async () => {
    const teachers = [teacher('a', [0.9, 0.1], [1], 1), teacher('b', [0.3, 0.7], [2], 1)];
    const [candidate] = await teacherMethod('b').train({ run: {}, teachers } as unknown as MethodContext);
    expect(candidate).toMatchObject({ method: 'teacher:b', ownsNetworks: false, trainingMs: 5 });
    expect(Array.from(candidate!.probabilities)).toEqual([0.30000001192092896, 0.699999988079071]);
    await expect(teacherMethod('c').train({ run: {}, teachers } as unknown as MethodContext)).rejects.toThrow(
      'No teacher was trained for modality c',
    );
  });
});

describe('UMT', () => {
  it('adds w · Σ_m MSE(student features, teacher features) with the MSE a mean over batch and dimensions (paper A.4)', async () => {
    await selectBackend('wasm');
    // Three samples; modality a has 2 feature dims, b has 1. The batch is samples [2, 0].
    const teachers = [teacher('a', [], [1, 2, 3, 4, 5, 6], 2), teacher('b', [], [10, 20, 30], 1)];
    const logits = tf.zeros([2, 3]);
    const studentA = tf.tensor2d([
      [5, 5],
      [1, 1],
    ]); // vs teacher rows [5, 6] and [1, 2]: squared errors 0, 1, 0, 1 → mean 0.5
    const studentB = tf.tensor2d([[27], [10]]); // vs [30] and [10]: squared errors 9, 0 → mean 4.5
    const loss = distillationLoss(teachers, 5)([logits, studentA, studentB], [2, 0]);
    expect(loss.dataSync()[0]).toBeCloseTo(5 * (0.5 + 4.5), 5);
    [logits, studentA, studentB, loss].forEach((t) => t.dispose());
  });

  it('trains at the configured weight, or at 1, 5, 20 and 50 with auto', () => {
    expect(distillWeights({ distillWeight: 7 })).toEqual([7]);
    expect(distillWeights({ distillWeight: 'auto' })).toEqual([1, 5, 20, 50]);
  });
});

describe('Auxiliary-CE', () => {
  it("adds each modality head's cross-entropy, equal weights, to the fused head's (paper §4.3)", async () => {
    await selectBackend('wasm');
    // Two classes, a batch of samples [1, 0] with labels 1 and 0; two modalities.
    const labels = Int32Array.from([0, 1]);
    const features = tf.zeros([2, 3]);
    const auxA = tf.tensor2d([
      [0, 0],
      [2, 0],
    ]); // rows for samples 1, 0: CE = ln 2 and −ln(e²/(e²+1))
    const auxB = tf.tensor2d([
      [0, 1],
      [0, 1],
    ]); // label 1: −ln(e/(e+1)); label 0: −ln(1/(1+e))
    const extra = auxiliaryCrossEntropy(labels, 2, 2)([tf.zeros([2, 2]), features, features, auxA, auxB], [1, 0]);
    const ce = (logit: number, other: number) => -Math.log(Math.exp(logit) / (Math.exp(logit) + Math.exp(other)));
    // tfjs's softmaxCrossEntropy is the mean over the batch, as each head's loss.
    const expected = (ce(0, 0) + ce(2, 0)) / 2 + (ce(1, 0) + ce(0, 1)) / 2;
    expect(extra.dataSync()[0]).toBeCloseTo(expected, 5);
    [features, auxA, auxB, extra].forEach((t) => t.dispose());
  });

  it('builds one head per modality on its features, after the features in the outputs, so predictions and probes read what they always read', async () => {
    await selectBackend('wasm');
    const modalities = [
      { name: 'a', kind: 'vector' as const, shape: [3] },
      { name: 'b', kind: 'vector' as const, shape: [2] },
    ];
    const model = buildFusion(modalities, 4, { ...DEFAULT_CONFIG, mlpHidden: [5] }, new SeedSequence(1), 'aux', {
      auxiliaryHeads: true,
    });
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 4],
      [null, 5],
      [null, 5],
      [null, 4],
      [null, 4],
    ]);
    model.dispose();
  });
});

describe('the gradient hook of the training step', () => {
  it('sits between the gradients and the update: it sees the outputs and targets, and what it returns is applied', async () => {
    await selectBackend('wasm');
    const [samples, dim, classes] = [8, 4, 2];
    const source = new FeatureSource(
      Float32Array.from({ length: samples * dim }, (_, i) => Math.cos(i)),
      dim,
    );
    const labels = Int32Array.from({ length: samples }, (_, i) => i % classes);
    const model = buildTeacher(
      { name: 'v', kind: 'vector', shape: [dim] },
      classes,
      { ...DEFAULT_CONFIG, mlpHidden: [3] },
      new SeedSequence(2),
    );
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.sgd(0.1);
    const weights = () => model.getWeights().map((w) => Array.from(w.dataSync()));
    const before = weights();
    const seen: { outputs: number; targets: number[]; batch: number[]; epoch: number; step: number }[] = [];
    const tensors = tf.memory().numTensors;
    // A hook that zeroes every gradient: the step must then change nothing.
    const zeroed = trainStep(
      {
        source,
        labels,
        classes,
        model,
        gradientHook: (grads, step) => {
          seen.push({
            outputs: step.outputs.length,
            targets: step.targets.shape,
            batch: step.batch,
            epoch: step.epoch,
            step: step.step,
          });
          return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.zerosLike(g)]));
        },
      },
      [0, 1, 2],
      variables,
      optimizer,
      { epoch: 4, step: 7 },
    );
    zeroed.loss.dispose();
    zeroed.hits.dispose();
    expect(seen).toEqual([{ outputs: 2, targets: [3, 2], batch: [0, 1, 2], epoch: 4, step: 7 }]);
    expect(weights()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    // Without a hook the same step moves the weights.
    const plain = trainStep({ source, labels, classes, model }, [0, 1, 2], variables, optimizer);
    plain.loss.dispose();
    plain.hits.dispose();
    expect(weights()).not.toEqual(before);
    optimizer.dispose();
    model.dispose();
  });
});
