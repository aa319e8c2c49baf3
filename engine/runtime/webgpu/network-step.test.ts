import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type OptimizerName, type RunConfig } from '../../protocol/run';
import { makeOptimizer } from '../../train/optimizers';
import { SeededRandom } from '../../util/random';
import { selectBackend } from '../backends/select-backend';
import { webgpuForTests } from '../../../test/helpers/webgpu-adapter';
import { FeatureSource, MemorySource } from '../../train/data-source';
import { evaluateLoss, trainStep } from '../../train/fit';
import {
  buildFusion,
  buildLinear,
  buildTeacher,
  MODALITY_DROPOUT_LAYER,
  SeedSequence,
  type ModalityInput,
} from '../../train/models/networks';
import type { ModalityDropout } from '../../train/models/modality-dropout';
import { weightedHeadLosses } from '../../method/methods/aux-ce';
import { distillationLoss } from '../../method/methods/umt';
import { fusedLayout, ogmGradientHook } from '../../method/methods/ogm-ge';
import { stepNoiseKey } from '../ogm-noise';
import { CoefficientTally } from '../../train/coefficient-tally';
import { concatRows } from '../../train/compiled/compiled-trainer';
import type { TrainedTeacher } from '../../method/teachers';
import { contextFor } from './gpu-context';
import { CompiledNetworkStep } from './network-step';
import { encoderKind, type NetworkStepSpec } from './network-layout';
import { networkSpecOf } from '../../train/compiled/network-spec';

/** Skipped without a WebGPU adapter; CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1, Mesa 25's lavapipe) must have one. */
const gpu = await webgpuForTests();
const device = gpu ? await gpu.adapter.requestDevice() : null;
afterAll(() => device?.destroy());

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);

/** A network to compare: its modalities (vectors → MLP encoders, images → convolutional ones) and sizes. */
interface Network {
  batch: number;
  classes: number;
  modalities: ModalityInput[];
  config: Pick<RunConfig, 'mlpHidden' | 'cnnChannels' | 'cnnFeatureDim'>;
  distillWeight?: number;
  optimizer?: OptimizerName;
  /** Auxiliary-CE / G-Blending: a linear head per encoder, its cross-entropy weighted so, and the fused head's weight. */
  auxiliary?: { weights: number[]; taskWeight?: number };
  /** Modality dropout: the modality each step drops (or null). */
  dropped?: (number | null)[];
  /** OGM-GE: α, and the steps (epoch 1, step s) that modulate: s < modulatedSteps. */
  ogm?: { alpha: number; modulatedSteps: number };
  /** A linear classifier on the one vector modality (a probe, the decision classifier) instead of an encoder network. */
  linear?: boolean;
}

/**
 * The same network, weights and batches on tfjs's cpu backend (the engine's `trainStep`, Adam) and through
 * the compiled WebGPU step (its spec read from the tfjs model, as training does): the loss of every step and
 * the final weights (batch norm's moving averages included).
 */
async function bothWays(network: Network, steps: number, learningRate: number, sizes: number[] = [], resident = false) {
  await selectBackend('cpu');
  const random = new SeededRandom(11);
  const { batch: batchSize, classes } = network;
  const samples = batchSize * 3;
  const data = network.modalities.map((m) =>
    Float32Array.from({ length: samples * m.shape.reduce((a, b) => a * b, 1) }, () => random.next() * 2 - 1),
  );
  const labels = Int32Array.from({ length: samples }, () => Math.floor(random.next() * classes));
  const config = { ...DEFAULT_CONFIG, ...network.config };
  const model = network.linear
    ? buildLinear(network.modalities[0]!.shape[0]!, classes, new SeedSequence(2), 'probe')
    : network.modalities.length === 1
      ? buildTeacher(network.modalities[0]!, classes, config, new SeedSequence(2))
      : buildFusion(network.modalities, classes, config, new SeedSequence(2), 'reference', {
          auxiliaryHeads: network.auxiliary !== undefined,
          modalityDropout: network.dropped !== undefined,
        });
  const dropoutLayer = network.dropped ? (model.getLayer(MODALITY_DROPOUT_LAYER) as ModalityDropout) : null;
  const plain = networkSpecOf(model, batchSize, classes);
  expect(plain, 'the compiled step takes this model').not.toBeNull();
  const auxiliary = network.auxiliary;
  const spec: NetworkStepSpec = {
    ...plain!,
    optimizer: network.optimizer ?? 'adam',
    ...(network.distillWeight !== undefined ? { distillWeight: network.distillWeight } : {}),
    ...(auxiliary
      ? {
          auxiliaryWeights: auxiliary.weights,
          ...(auxiliary.taskWeight !== undefined ? { taskWeight: auxiliary.taskWeight } : {}),
        }
      : {}),
    ...(network.ogm ? { gradientModulation: { alpha: network.ogm.alpha } } : {}),
  };
  // OGM-GE on the tfjs side: its hook, modulating in epoch 1 only; the steps below are epochs 1 (modulated) and 2.
  const cpuTally = new CoefficientTally(network.modalities.length);
  const ogm = network.ogm ? { alpha: network.ogm.alpha, lastModulatedEpoch: 1, seed: 5, tally: cpuTally } : null;
  const gpuTally = new CoefficientTally(network.modalities.length);
  const gradientHook = ogm
    ? ogmGradientHook(
        fusedLayout(
          model,
          network.modalities.map((m) => m.name),
        ),
        ogm,
      )
    : undefined;
  const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const source = new MemorySource(
    data,
    network.modalities.map((m) => m.shape),
  );
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = makeOptimizer(network.optimizer ?? 'adam', learningRate);
  const featureDims = spec.encoders.map((e) => encoderKind(e).featureDim(e));
  const teachers = featureDims.map((dim) => ({
    features: new FeatureSource(
      Float32Array.from({ length: samples * dim }, () => random.next()),
      dim,
    ),
  }));
  const extraLoss =
    spec.distillWeight !== undefined
      ? distillationLoss(teachers as unknown as TrainedTeacher[], spec.distillWeight)
      : auxiliary
        ? weightedHeadLosses(labels, classes, auxiliary.weights)
        : undefined;
  const ctx = contextFor(device as GPUDevice);
  const step = new CompiledNetworkStep(ctx, resident ? { ...spec, residentSamples: samples } : spec);
  expect(step.slots.map((s) => s.shape)).toEqual(model.getWeights().map((w) => w.shape));
  step.setWeights(initial);
  // Resident: every sample uploaded once; each step then sends only its batch's positions.
  const everyone = Array.from({ length: samples }, (_, i) => i);
  if (resident)
    step.uploadResident(
      source.arrays(everyone),
      labels,
      extraLoss
        ? concatRows(
            teachers.map((t) => t.features.rows(everyone)),
            featureDims,
            samples,
          )
        : undefined,
    );
  const cpuLosses: number[] = [];
  const gpuLosses: number[] = [];
  const cpuExtra: number[] = [];
  const gpuExtra: number[] = [];
  const cpuAccuracy: number[] = [];
  const gpuAccuracy: number[] = [];
  for (let s = 0; s < steps; s += 1) {
    const size = sizes[s] ?? batchSize;
    const batch = Array.from({ length: size }, (_, i) => (s * batchSize + i) % samples);
    const dropped = network.dropped?.[s] ?? null;
    const at = { epoch: network.ogm && s >= network.ogm.modulatedSteps ? 2 : 1, step: s };
    const noiseKey = ogm && at.epoch <= ogm.lastModulatedEpoch ? stepNoiseKey(ogm.seed, at.epoch, at.step) : null;
    if (dropoutLayer) dropoutLayer.dropped = dropped;
    const result = trainStep(
      {
        source,
        labels,
        classes,
        model,
        extraLoss,
        ...(auxiliary?.taskWeight !== undefined ? { taskLossWeight: auxiliary.taskWeight } : {}),
        ...(gradientHook ? { gradientHook } : {}),
      },
      batch,
      variables,
      optimizer,
      at,
    );
    cpuLosses.push((await result.loss.data())[0]!);
    cpuExtra.push(result.extra ? (await result.extra.data())[0]! : 0);
    cpuAccuracy.push((await result.hits.data())[0]! / size);
    tf.dispose([result.loss, result.hits, result.extra].filter((t) => t !== undefined));
    const teacherRows = extraLoss
      ? concatRows(
          teachers.map((t) => t.features.rows(batch)),
          featureDims,
          size,
        )
      : undefined;
    if (resident) step.stepResident(batch, learningRate, { dropped, noiseKey });
    else
      step.step(
        source.arrays(batch),
        Int32Array.from(batch, (i) => labels[i]!),
        learningRate,
        teacherRows,
        { dropped, noiseKey },
      );
    const taken = await step.takeLoss();
    expect(taken.samples).toBe(size);
    gpuLosses.push(taken.meanLoss);
    gpuExtra.push(taken.extraLoss);
    gpuAccuracy.push(taken.accuracy);
    if (taken.coefficientSums) gpuTally.addSums(taken.coefficientSums, taken.modulatedSteps ?? 0);
  }
  // OGM-GE: each modality's mean coefficient over the modulated steps, as each side tallied it.
  const tallies = { cpu: await cpuTally.means(), gpu: await gpuTally.means() };
  cpuTally.dispose();
  const cpuWeights = model.getWeights().map((w) => w.dataSync());
  const gpuWeights = await step.getWeights();
  // The optimizer's state, in tfjs's getWeights() order (after its iteration count): what a checkpoint saves.
  const [iterations, ...cpuState] = await optimizer.getWeights();
  const gpuState = await step.getOptimizerState();
  const optimizerState = {
    cpu: { steps: iterations!.tensor.dataSync()[0], state: cpuState.map((w) => w.tensor.dataSync()) },
    gpu: { steps: gpuState.steps, state: gpuState.state.flat() },
  };
  // Resident: the trained weights evaluated on 2.5 batches of samples, on the GPU and by tfjs's cpu backend (inference mode: batch norm on its moving averages).
  const evaluated = everyone.slice(0, Math.floor(batchSize * 2.5));
  const evaluation = resident
    ? {
        gpu: await step.evaluateResident(evaluated),
        cpu: await evaluateLoss(model, source, labels, classes, evaluated, batchSize),
      }
    : null;
  const buffersWhileAlive = ctx.liveBuffers;
  step.dispose();
  optimizer.dispose();
  model.dispose();
  return {
    cpuLosses,
    gpuLosses,
    cpuExtra,
    gpuExtra,
    cpuAccuracy,
    gpuAccuracy,
    cpuWeights,
    gpuWeights,
    optimizerState,
    tallies,
    names: step.slots.map((s) => s.name),
    evaluation,
    buffersWhileAlive,
    buffersAfter: ctx.liveBuffers,
    dispatches: step.dispatchCount,
  };
}

/** An MLP network of vector modalities of these sizes. */
const mlp = (batch: number, classes: number, inputs: number[], hidden: number[], distillWeight?: number): Network => ({
  batch,
  classes,
  modalities: inputs.map((size, m) => ({ name: `m${m}`, kind: 'vector', shape: [size] })),
  config: { mlpHidden: hidden, cnnChannels: [], cnnFeatureDim: 0 },
  ...(distillWeight !== undefined ? { distillWeight } : {}),
});

function expectSame(result: Awaited<ReturnType<typeof bothWays>>): void {
  result.gpuLosses.forEach((loss, i) =>
    expect(relative(loss, result.cpuLosses[i]!), `step ${i}: ${loss} vs ${result.cpuLosses[i]}`).toBeLessThan(1e-4),
  );
  result.gpuExtra.forEach((extra, i) =>
    expect(relative(extra, result.cpuExtra[i]!), `distillation, step ${i}`).toBeLessThan(1e-4),
  );
  expect(result.gpuAccuracy).toEqual(result.cpuAccuracy);
  result.gpuWeights.forEach((weights, w) =>
    weights.forEach((value, i) =>
      expect(Math.abs(value - result.cpuWeights[w]![i]!), `${result.names[w]}[${i}]`).toBeLessThan(1e-4),
    ),
  );
  expect(result.optimizerState.gpu.steps).toBe(result.optimizerState.cpu.steps);
  expect(result.optimizerState.gpu.state).toHaveLength(result.optimizerState.cpu.state.length);
  result.optimizerState.gpu.state.forEach((values, k) =>
    values.forEach((value, i) =>
      expect(Math.abs(value - result.optimizerState.cpu.state[k]![i]!), `optimizer state ${k}[${i}]`).toBeLessThan(
        1e-4,
      ),
    ),
  );
  if (result.evaluation) {
    expect(relative(result.evaluation.gpu.meanLoss, result.evaluation.cpu.loss), 'evaluation loss').toBeLessThan(1e-4);
    expect(result.evaluation.gpu.accuracy).toBe(result.evaluation.cpu.accuracy);
  }
  expect(result.buffersAfter).toBe(0);
}

describe.skipIf(device === null)('the compiled WebGPU training step (MLP encoders)', () => {
  it("trains a two-modality late-fusion network to the cpu backend's losses and weights (1e-4)", async () => {
    const result = await bothWays(mlp(16, 5, [7, 9], [12, 6]), 4, 1e-2);
    expectSame(result);
    // The losses moved: the update did something.
    expect(result.cpuLosses[3]).not.toBe(result.cpuLosses[0]);
    expect(result.buffersWhileAlive).toBeGreaterThan(0);
  }, 60_000);

  it('trains a linear classifier on fixed features (the probes, the decision classifier) as one identity encoder and its head, resident and with a short batch', async () => {
    const result = await bothWays({ ...mlp(16, 4, [21], []), linear: true }, 4, 1e-2, [16, 16, 9, 16], true);
    expect(result.names).toEqual(['head/kernel', 'head/bias']);
    expectSame(result);
    expect(result.cpuLosses[3]).not.toBe(result.cpuLosses[0]);
  }, 60_000);

  it('does the same for a teacher (one encoder) with sizes that are not multiples of the 16×16 tiles', async () => {
    expectSame(await bothWays(mlp(13, 3, [33], [17]), 3, 5e-3));
  }, 60_000);

  it('takes a short last batch: the padding gives no loss, no gradient and no accuracy', async () => {
    expectSame(await bothWays(mlp(16, 4, [5, 6], [8]), 3, 1e-2, [16, 7, 1]));
  }, 60_000);

  it('gathers its batches from the training split resident on the GPU with the same numbers (short batch and distillation included), and evaluates there', async () => {
    const result = await bothWays(mlp(12, 3, [6, 4], [10, 5], 50), 4, 1e-2, [12, 5, 12, 12], true);
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expect(result.evaluation?.gpu.samples).toBe(30);
    expectSame(result);
  }, 60_000);

  it("adds UMT's distillation, w · Σ_m MSE(features_m, teacher features_m) (paper A.4), as the engine's trainStep does", async () => {
    const result = await bothWays(mlp(12, 3, [6, 4], [10, 5], 50), 4, 1e-2, [12, 12, 12, 9]);
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expectSame(result);
  }, 60_000);
});

describe.skipIf(device === null)('the compiled WebGPU training step (convolutional encoders)', () => {
  /** An image modality (conv3×3-BN-ReLU blocks, 2×2 max-pool between them, global average pooling, dense) beside a vector one. */
  const mixed = (batch: number, image: number[], channels: number[], distillWeight?: number): Network => ({
    batch,
    classes: 3,
    modalities: [
      { name: 'image', kind: 'image', shape: image },
      { name: 'vector', kind: 'vector', shape: [5] },
    ],
    config: { mlpHidden: [6], cnnChannels: channels, cnnFeatureDim: 7 },
    ...(distillWeight !== undefined ? { distillWeight } : {}),
  });

  it("trains conv + batch norm + max-pool + global average pool to the cpu backend's losses, weights and moving averages (1e-4)", async () => {
    const result = await bothWays(mixed(6, [8, 7, 2], [4, 5]), 3, 1e-2);
    expect(result.names).toContain('encoder0/bn1/moving_variance');
    expectSame(result);
    expect(result.cpuLosses[2]).not.toBe(result.cpuLosses[0]);
  }, 120_000);

  it('pads a short last batch out of the batch statistics, distils, and evaluates in inference mode on resident data', async () => {
    const result = await bothWays(mixed(5, [6, 6, 1], [3, 4], 50), 3, 1e-2, [5, 2, 5], true);
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expectSame(result);
  }, 120_000);

  it('trains auxiliary heads with weighted cross-entropies and a weighted fused head (Auxiliary-CE, G-Blending), and evaluates the fused head alone', async () => {
    const result = await bothWays(
      { ...mixed(6, [6, 5, 1], [3, 4]), auxiliary: { weights: [0.7, 1.6], taskWeight: 0.4 } },
      3,
      1e-2,
      [6, 3, 6],
      true,
    );
    expect(result.names).toContain('head_aux1/kernel');
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expectSame(result);
  }, 120_000);

  it("zeroes the dropped modality's features and their gradient in the steps that drop one (modality dropout), and evaluates without", async () => {
    const result = await bothWays(
      { ...mixed(6, [6, 5, 1], [3, 4]), dropped: [1, null, 0, 1] },
      4,
      1e-2,
      [6, 6, 4, 6],
      true,
    );
    expectSame(result);
  }, 120_000);

  it("modulates the encoders' gradients and adds the same GE noise as OGM-GE's tfjs hook in the modulated steps, and not after", async () => {
    const result = await bothWays(
      { ...mixed(6, [6, 5, 1], [3, 4]), ogm: { alpha: 0.8, modulatedSteps: 2 } },
      4,
      1e-2,
      [6, 4, 6, 6],
      true,
    );
    expectSame(result);
    // Both tally the two modulated steps' coefficients alike (what the run records); at each step the weakest has k = 1.
    expect(result.tallies.cpu?.map((m) => m.steps)).toEqual([2, 2]);
    expect(result.tallies.gpu?.map((m) => m.steps)).toEqual([2, 2]);
    result.tallies.cpu?.forEach((m, u) =>
      expect(result.tallies.gpu?.[u]?.meanCoefficient).toBeCloseTo(m.meanCoefficient, 4),
    );
    expect(Math.max(...(result.tallies.cpu ?? []).map((m) => m.meanCoefficient))).toBeLessThanOrEqual(1);
    expect(Math.min(...(result.tallies.cpu ?? []).map((m) => m.meanCoefficient))).toBeLessThan(1);
  }, 120_000);

  it("trains with SGD and momentum as tfjs's train.momentum does (weights and accumulations)", async () => {
    const result = await bothWays({ ...mixed(6, [6, 5, 1], [3, 4]), optimizer: 'sgd' }, 3, 5e-2, [6, 4, 6]);
    expect(result.optimizerState.cpu.state).toHaveLength(
      result.gpuWeights.filter((_, w) => !result.names[w]!.includes('moving')).length,
    );
    expectSame(result);
  }, 120_000);

  it('does the same for a teacher of three blocks on an image too small to pool twice', async () => {
    expectSame(
      await bothWays(
        {
          batch: 4,
          classes: 2,
          modalities: [{ name: 'image', kind: 'image', shape: [5, 4, 3] }],
          config: { mlpHidden: [], cnnChannels: [3, 2, 4], cnnFeatureDim: 6 },
        },
        2,
        1e-2,
      ),
    );
  }, 120_000);
});
