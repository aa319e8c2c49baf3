import type { OptimizerName } from '../../protocol/run';
import { SGD_MOMENTUM } from '../optimizer-settings';

/**
 * The update of every trainable parameter at the end of a compiled step, one per optimizer of the engine
 * (engine/train/optimizers.ts), each exactly tfjs's, to the float32 rounding. Bindings: params, grads, its state
 * buffers, the settings uniform (SETTINGS_BYTES, written each step with {@link CompiledOptimizer.settings}).
 * Dispatch [ceil(count/256)].
 */
export interface CompiledOptimizer {
  /** Its per-parameter state, by the suffix tfjs's optimizer names it with in `getWeights()`: `${variable}/${suffix}`. */
  state: string[];
  kernel(count: number): string;
  /**
   * The settings of each next step (call once per step, in order), after `stepsDone` steps: 0, or a
   * checkpoint's count; `weightDecay` is added to each gradient as wd·p (PyTorch's `weight_decay`, which the
   * tfjs path adds in fit.ts: g + p·wd, the same two roundings).
   */
  settings(stepsDone: number, weightDecay: number): (learningRate: number) => Float32Array;
}

/** The optimizers' settings uniform: room for Adam's 8 floats and the weight decay (SGD uses 3), 16-byte aligned. */
export const SETTINGS_BYTES = 48;

const BETA1 = 0.9;
const BETA2 = 0.999;
/** tfjs's Adam default ε (its backend's epsilon, 1e-7 on float32 backends). */
const EPSILON = 1e-7;
const F32_BETA1 = Math.fround(BETA1);
const F32_BETA2 = Math.fround(BETA2);

export const COMPILED_OPTIMIZERS: Record<OptimizerName, CompiledOptimizer> = {
  adam: {
    state: ['m', 'v'],
    kernel: adamKernel,
    settings: (stepsDone, weightDecay) => {
      // β^t as tfjs keeps it, a float32 variable: β^(n+1) by pow when its state is set (n = the steps done; β at
      // the start), multiplied by β after every step. Computed otherwise (in double), 1 − β^t differs in its last
      // bit, every update with it, and 30 epochs later a teacher's best epoch can differ.
      let accumulated1 = Math.fround(F32_BETA1 ** (stepsDone + 1));
      let accumulated2 = Math.fround(F32_BETA2 ** (stepsDone + 1));
      return (rate) => {
        const settings = Float32Array.of(
          rate,
          1 - accumulated1,
          1 - accumulated2,
          EPSILON,
          BETA1,
          1 - BETA1,
          BETA2,
          1 - BETA2,
          weightDecay,
        );
        accumulated1 = Math.fround(accumulated1 * F32_BETA1);
        accumulated2 = Math.fround(accumulated2 * F32_BETA2);
        return settings;
      };
    },
  },
  sgd: {
    state: ['momentum'],
    kernel: momentumKernel,
    settings: (_stepsDone, weightDecay) => (rate) => Float32Array.of(rate, SGD_MOMENTUM, weightDecay),
  },
};

/**
 * One Adam update of every parameter (tfjs's `train.adam`: m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
 * p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)), over flat buffers of `count` parameters, with
 * tfjs's operations in tfjs's order (adam_optimizer.ts), so that each float32 rounding is the same as on the
 * cpu and wasm backends. β1, β2 and their complements come in the uniform, not as WGSL constants: a shader
 * compiler may rearrange arithmetic around a constant (Mesa's did: v came out 2 ulps off with (g·g)·(1 − β2)
 * written as a literal, though the literal itself converts exactly), and such roundings, every step, drifted
 * a run on webgpu from the same run on wasm until a teacher kept another best epoch.
 * The gradient is g + wd·p (weight decay as PyTorch's Adam adds it: L2, not AdamW's decoupled decay).
 * Bindings: params, grads, m, v, settings uniform {lr, 1 − β1^t, 1 − β2^t, ε, β1, 1 − β1, β2, 1 − β2, wd}.
 * Dispatch [ceil(count/256)].
 */
function adamKernel(count: number): string {
  return /* wgsl */ `
struct Settings { rate: f32, oneMinusBeta1Power: f32, oneMinusBeta2Power: f32, epsilon: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, weightDecay: f32 }
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<uniform> settings: Settings;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${Math.trunc(count)}u) { return; }
  let g = grads[i] + params[i] * settings.weightDecay;
  let mi = m[i] * settings.beta1 + g * settings.oneMinusBeta1;
  let vi = v[i] * settings.beta2 + (g * g) * settings.oneMinusBeta2;
  m[i] = mi;
  v[i] = vi;
  let corrected1 = mi / settings.oneMinusBeta1Power;
  let corrected2 = vi / settings.oneMinusBeta2Power;
  params[i] = (corrected1 / (sqrt(corrected2) + settings.epsilon)) * -settings.rate + params[i];
}`;
}

/**
 * SGD with momentum (tfjs's `train.momentum`, not Nesterov): a ← μ·a + (g + wd·p), p ← p − lr·a. Bindings:
 * params, grads, a, settings uniform {lr, μ, wd}.
 */
function momentumKernel(count: number): string {
  return /* wgsl */ `
struct Settings { rate: f32, momentum: f32, weightDecay: f32 }
@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> accumulation: array<f32>;
@group(0) @binding(3) var<uniform> settings: Settings;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${Math.trunc(count)}u) { return; }
  let a = settings.momentum * accumulation[i] + (grads[i] + params[i] * settings.weightDecay);
  accumulation[i] = a;
  params[i] = params[i] - settings.rate * a;
}`;
}
