import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { SeededRandom } from '../../util/random';
import { selectBackend } from '../backends/select-backend';
import { webgpuForTests } from '../../../test/helpers/webgpu-adapter';
import { FeatureSource } from '../data-source';
import { evaluateLoss, trainStep } from '../fit';
import { buildFusion, buildTeacher, SeedSequence } from '../models/networks';
import { distillationLoss } from '../methods/umt';
import { concatRows } from './compiled-trainer';
import type { TrainedTeacher } from '../teachers';
import { GpuContext } from './gpu-context';
import { CompiledMlpStep, type MlpStepSpec } from './mlp-step';

/** Skipped without a WebGPU adapter; CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1, Mesa 25's lavapipe) must have one. */
const gpu = await webgpuForTests();
const device = gpu ? await gpu.adapter.requestDevice() : null;
afterAll(() => device?.destroy());

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);

/**
 * The same network, weights and batches on tfjs's cpu backend (the engine's `trainStep`, Adam) and through
 * the compiled WebGPU step: the loss of every step and the final weights.
 */
async function bothWays(spec: MlpStepSpec, steps: number, learningRate: number, sizes: number[] = [], resident = false) {
  await selectBackend('cpu');
  const random = new SeededRandom(11);
  const samples = spec.batch * 3;
  const data = spec.encoders.map((e) => Float32Array.from({ length: samples * e.inputDim }, () => random.next() * 2 - 1));
  const labels = Int32Array.from({ length: samples }, () => Math.floor(random.next() * spec.classes));
  const modalities = spec.encoders.map((e, m) => ({ name: `m${m}`, kind: 'vector' as const, shape: [e.inputDim] }));
  const hidden = spec.encoders[0]!.hidden;
  const config = { ...DEFAULT_CONFIG, mlpHidden: hidden };
  const model = modalities.length === 1 ? buildTeacher(modalities[0]!, spec.classes, config, new SeedSequence(2)) : buildFusion(modalities, spec.classes, config, new SeedSequence(2), 'reference');
  const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const sources = data.map((values, m) => new FeatureSource(values, spec.encoders[m]!.inputDim));
  const source = { inputs: (batch: number[]) => sources.flatMap((s) => s.inputs(batch)) };
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(learningRate);
  const featureDims = spec.encoders.map((e) => e.hidden.at(-1)!);
  const teachers = featureDims.map((dim) => ({ features: new FeatureSource(Float32Array.from({ length: samples * dim }, () => random.next()), dim) }));
  const extraLoss = spec.distillWeight !== undefined ? distillationLoss(teachers as unknown as TrainedTeacher[], spec.distillWeight) : undefined;
  const ctx = new GpuContext(device as GPUDevice);
  const step = new CompiledMlpStep(ctx, resident ? { ...spec, residentSamples: samples } : spec);
  expect(step.slots.map((s) => s.shape)).toEqual(model.getWeights().map((w) => w.shape));
  step.setWeights(initial);
  // Resident: every sample uploaded once; each step then sends only its batch's positions.
  const everyone = Array.from({ length: samples }, (_, i) => i);
  if (resident) step.uploadResident(data, labels, extraLoss ? concatRows(teachers.map((t) => t.features.rows(everyone)), featureDims, samples) : undefined);
  const cpuLosses: number[] = [];
  const gpuLosses: number[] = [];
  const cpuExtra: number[] = [];
  const gpuExtra: number[] = [];
  const cpuAccuracy: number[] = [];
  const gpuAccuracy: number[] = [];
  for (let s = 0; s < steps; s += 1) {
    const size = sizes[s] ?? spec.batch;
    const batch = Array.from({ length: size }, (_, i) => (s * spec.batch + i) % samples);
    const result = trainStep({ source: source as unknown as FeatureSource, labels, classes: spec.classes, model, extraLoss }, batch, variables, optimizer);
    cpuLosses.push((await result.loss.data())[0]!);
    cpuExtra.push(result.extra ? (await result.extra.data())[0]! : 0);
    cpuAccuracy.push((await result.hits.data())[0]! / size);
    tf.dispose([result.loss, result.hits, result.extra].filter((t) => t !== undefined));
    const teacherRows = extraLoss ? concatRows(teachers.map((t) => t.features.rows(batch)), featureDims, size) : undefined;
    if (resident) step.stepResident(batch, learningRate);
    else step.step(sources.map((src) => src.rows(batch)), Int32Array.from(batch, (i) => labels[i]!), learningRate, teacherRows);
    const taken = await step.takeLoss();
    expect(taken.samples).toBe(size);
    gpuLosses.push(taken.meanLoss);
    gpuExtra.push(taken.extraLoss);
    gpuAccuracy.push(taken.accuracy);
  }
  const cpuWeights = model.getWeights().map((w) => w.dataSync());
  const gpuWeights = await step.getWeights();
  // Resident: the trained weights evaluated on 2.5 batches of samples, on the GPU and by tfjs's cpu backend.
  const evaluated = everyone.slice(0, Math.floor(spec.batch * 2.5));
  const evaluation = resident ? { gpu: await step.evaluateResident(evaluated), cpu: await evaluateLoss(model, source as unknown as FeatureSource, labels, spec.classes, evaluated, spec.batch) } : null;
  const buffersWhileAlive = ctx.liveBuffers;
  step.dispose();
  optimizer.dispose();
  model.dispose();
  return { cpuLosses, gpuLosses, cpuExtra, gpuExtra, cpuAccuracy, gpuAccuracy, cpuWeights, gpuWeights, evaluation, buffersWhileAlive, buffersAfter: ctx.liveBuffers, dispatches: step.dispatchCount };
}

function expectSame(result: Awaited<ReturnType<typeof bothWays>>): void {
  result.gpuLosses.forEach((loss, i) => expect(relative(loss, result.cpuLosses[i]!), `step ${i}: ${loss} vs ${result.cpuLosses[i]}`).toBeLessThan(1e-4));
  result.gpuExtra.forEach((extra, i) => expect(relative(extra, result.cpuExtra[i]!), `distillation, step ${i}`).toBeLessThan(1e-4));
  expect(result.gpuAccuracy).toEqual(result.cpuAccuracy);
  result.gpuWeights.forEach((weights, w) => weights.forEach((value, i) => expect(Math.abs(value - result.cpuWeights[w]![i]!)).toBeLessThan(1e-4)));
  if (result.evaluation) {
    expect(relative(result.evaluation.gpu.meanLoss, result.evaluation.cpu.loss), 'evaluation loss').toBeLessThan(1e-4);
    expect(result.evaluation.gpu.accuracy).toBe(result.evaluation.cpu.accuracy);
  }
  expect(result.buffersAfter).toBe(0);
}

describe.skipIf(device === null)('the compiled WebGPU training step (MLP encoders)', () => {
  it('trains a two-modality late-fusion network to the cpu backend\'s losses and weights (1e-4)', async () => {
    const result = await bothWays({ batch: 16, classes: 5, encoders: [{ inputDim: 7, hidden: [12, 6] }, { inputDim: 9, hidden: [12, 6] }] }, 4, 1e-2);
    expectSame(result);
    // The losses moved: the update did something.
    expect(result.cpuLosses[3]).not.toBe(result.cpuLosses[0]);
    expect(result.buffersWhileAlive).toBeGreaterThan(0);
  }, 60_000);

  it('does the same for a teacher (one encoder) with sizes that are not multiples of the 16×16 tiles', async () => {
    expectSame(await bothWays({ batch: 13, classes: 3, encoders: [{ inputDim: 33, hidden: [17] }] }, 3, 5e-3));
  }, 60_000);

  it('takes a short last batch: the padding gives no loss, no gradient and no accuracy', async () => {
    expectSame(await bothWays({ batch: 16, classes: 4, encoders: [{ inputDim: 5, hidden: [8] }, { inputDim: 6, hidden: [8] }] }, 3, 1e-2, [16, 7, 1]));
  }, 60_000);

  it('gathers its batches from the training split resident on the GPU with the same numbers (short batch and distillation included), and evaluates there', async () => {
    const result = await bothWays({ batch: 12, classes: 3, distillWeight: 50, encoders: [{ inputDim: 6, hidden: [10, 5] }, { inputDim: 4, hidden: [10, 5] }] }, 4, 1e-2, [12, 5, 12, 12], true);
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expect(result.evaluation?.gpu.samples).toBe(30);
    expectSame(result);
  }, 60_000);

  it("adds UMT's distillation, w · Σ_m MSE(features_m, teacher features_m) (paper A.4), as the engine's trainStep does", async () => {
    const result = await bothWays({ batch: 12, classes: 3, distillWeight: 50, encoders: [{ inputDim: 6, hidden: [10, 5] }, { inputDim: 4, hidden: [10, 5] }] }, 4, 1e-2, [12, 12, 12, 9]);
    expect(result.cpuExtra[0]).toBeGreaterThan(0);
    expectSame(result);
  }, 60_000);
});
