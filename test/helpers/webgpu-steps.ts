import { contextFor } from '../../engine/runtime/webgpu/gpu-context';
import { CompiledNetworkStep } from '../../engine/runtime/webgpu/network-step';
import { encoderKind, networkParameters, type NetworkStepSpec } from '../../engine/runtime/webgpu/network-layout';
import type { NetworkStepLike } from '../../engine/runtime/webgpu/network-step-like';

/** A fixed little training problem: the spec, initial weights and batches, all from a seed (no tfjs). */
export function fixedProblem(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  // An image encoder (conv-BN-ReLU-pool, conv-BN-ReLU, global average pool, dense) beside an MLP one: every kernel of the step.
  const image = {
    kind: 'conv' as const,
    height: 6,
    width: 5,
    channels: 2,
    blocks: [
      { filters: 3, pool: true },
      { filters: 4, pool: false },
    ],
    featureDim: 6,
    epsilon: 1e-3,
    momentum: 0.9,
  };
  const spec: NetworkStepSpec = {
    batch: 16,
    classes: 4,
    distillWeight: 5,
    encoders: [image, { inputDim: 7, hidden: [12, 6] }],
  };
  const weights = networkParameters(spec).slots.map((slot) =>
    Float32Array.from({ length: slot.size }, () => (next() - 0.5) * 0.6),
  );
  const batches = [16, 16, 11].map((n) => ({
    inputs: spec.encoders.map((e) =>
      Float32Array.from({ length: n * encoderKind(e).inputWords(e) }, () => next() * 2 - 1),
    ),
    labels: Int32Array.from({ length: n }, () => Math.floor(next() * spec.classes)),
    teacher: Float32Array.from(
      { length: n * spec.encoders.reduce((sum, e) => sum + encoderKind(e).featureDim(e), 0) },
      () => next(),
    ),
  }));
  return { spec, weights, batches };
}

/** Trains the fixed problem on `device` with the compiled step: every step's loss, and the final weights. */
export async function runFixedProblem(
  device: GPUDevice,
  seed: number,
): Promise<{ losses: number[]; weights: number[][] }> {
  return trainFixedProblem(async (spec) => new CompiledNetworkStep(contextFor(device), spec), seed);
}

/** The same on a compiled network made by `make` (here, or across a channel: the desktop app's GPU window). */
export async function trainFixedProblem(
  make: (spec: NetworkStepSpec) => Promise<NetworkStepLike>,
  seed: number,
): Promise<{ losses: number[]; weights: number[][] }> {
  const { spec, weights, batches } = fixedProblem(seed);
  const step = await make(spec);
  step.setWeights(weights);
  const losses: number[] = [];
  for (const batch of batches) {
    step.step(batch.inputs, batch.labels, 0.01, batch.teacher);
    losses.push((await step.takeLoss()).meanLoss);
  }
  const trained = (await step.getWeights()).map((w) => Array.from(w));
  step.dispose();
  return { losses, weights: trained };
}
