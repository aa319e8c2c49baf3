import type { OptimizerName } from '../../protocol/run';
import { SGD_MOMENTUM } from '../optimizer-settings';

/**
 * The update of every trainable parameter at the end of a compiled step, one per optimizer of the engine
 * (engine/train/optimizers.ts), each exactly tfjs's. Bindings: params, grads, its state buffers, the settings
 * uniform (4 floats it writes each step with {@link CompiledOptimizer.settings}). Dispatch [ceil(count/256)].
 */
export interface CompiledOptimizer {
  /** Its per-parameter state, by the suffix tfjs's optimizer names it with in `getWeights()`: `${variable}/${suffix}`. */
  state: string[];
  kernel(count: number): string;
  settings(learningRate: number, step: number): Float32Array;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
/** tfjs's Adam default ε (its backend's epsilon, 1e-7 on float32 backends). */
const EPSILON = 1e-7;

export const COMPILED_OPTIMIZERS: Record<OptimizerName, CompiledOptimizer> = {
  adam: {
    state: ['m', 'v'],
    kernel: (count) => adamKernel(count, BETA1, BETA2),
    settings: (rate, step) => Float32Array.of(rate, 1 / (1 - BETA1 ** step), 1 / (1 - BETA2 ** step), EPSILON),
  },
  sgd: {
    state: ['momentum'],
    kernel: (count) => momentumKernel(count, SGD_MOMENTUM),
    settings: (rate) => Float32Array.of(rate, 0, 0, 0),
  },
};

/**
 * One Adam update of every parameter (tfjs's `train.adam`: m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
 * p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)), over flat buffers of `count` parameters.
 * Bindings: params, grads, m, v, settings uniform {lr, 1/(1 − β1^t), 1/(1 − β2^t), ε}. Dispatch [ceil(count/256)].
 */
function adamKernel(count: number, beta1: number, beta2: number): string {
  return /* wgsl */ `
struct Settings { rate: f32, correct1: f32, correct2: f32, epsilon: f32 }
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> settings: Settings;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${Math.trunc(count)}u) { return; }
  let g = grads[i];
  let mi = ${beta1} * m[i] + ${1 - beta1} * g;
  let vi = ${beta2} * v[i] + ${1 - beta2} * g * g;
  m[i] = mi;
  v[i] = vi;
  params[i] = params[i] - settings.rate * (mi * settings.correct1) / (sqrt(vi * settings.correct2) + settings.epsilon);
}`;
}

/**
 * SGD with momentum (tfjs's `train.momentum`, not Nesterov): a ← μ·a + g, p ← p − lr·a. Bindings: params, grads,
 * a, settings uniform {lr, ·, ·, ·}.
 */
function momentumKernel(count: number, momentum: number): string {
  return /* wgsl */ `
struct Settings { rate: f32, unused1: f32, unused2: f32, unused3: f32 }
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> accumulation: array<f32>;
@group(0) @binding(3) var<uniform> settings: Settings;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${Math.trunc(count)}u) { return; }
  let a = ${momentum} * accumulation[i] + grads[i];
  accumulation[i] = a;
  params[i] = params[i] - settings.rate * a;
}`;
}
