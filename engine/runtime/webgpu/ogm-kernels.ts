import { WGSL_GAUSSIAN } from '../ogm-noise';
import { storageBindings, u, WORKGROUP_SUM } from './kernels';

/**
 * OGM-GE's gradient modulation (engine/method/methods/ogm-ge.ts, every rule cited there) in the compiled step,
 * after the backward pass and before the update: each modality's score on the batch, its coefficient
 * k_u = 1 − tanh(α·s_u / min_v s_v) when that ratio is above 1 (else 1), and for each encoder weight of rank ≥ 2
 * g ← g·k_u + N(0, 1)·(std(g) + 1e-8), σ of the unmodulated gradient as main.py's (ogm-ge.ts quotes the
 * line), the noise from ogm-noise.ts (the tfjs step draws the same). A
 * settings uniform {modulate, step key} switches it per step: off after the modulated epochs.
 */

const WORKGROUP = 256;

const SETTINGS = /* wgsl */ `
struct Modulation { modulate: u32, stepKey: u32, unused1: u32, unused2: u32 }`;

/** k_u from the scores, as ogmCoefficients does. */
function coefficient(modalities: number, alpha: number): string {
  return /* wgsl */ `
fn coefficient(u: u32) -> f32 {
  var weakest = scores[0];
  for (var v = 1u; v < ${u(modalities)}; v = v + 1u) { weakest = min(weakest, scores[v]); }
  let ratio = scores[u] / weakest;
  return select(1.0, 1.0 - tanh(${alpha} * ratio), ratio > 1.0);
}`;
}

export interface OgmLayout {
  rows: number;
  classes: number;
  /** Feature widths per modality, in the head's row order. */
  widths: number[];
  headKernel: number;
  headBias: number;
}

/**
 * s_u = Σ over the batch's real rows of softmax(f_u·W_u + b/M)[label], one workgroup per modality.
 * Bindings: features, params, labels, scores. Dispatch [modalities].
 */
export function ogmScoresKernel(layout: OgmLayout): string {
  const { rows, classes, widths } = layout;
  const featureDim = widths.reduce((a, b) => a + b, 0);
  const begins = widths.map((_, m) => widths.slice(0, m).reduce((a, b) => a + b, 0));
  return /* wgsl */ `
${storageBindings([
  ['features', 'read'],
  ['params', 'read'],
  ['labels', 'read', 'i32'],
  ['scores', 'read_write'],
])}
${WORKGROUP_SUM}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let m = group.x;
  let begins = array<u32, ${widths.length}>(${begins.map(u).join(', ')});
  let widths = array<u32, ${widths.length}>(${widths.map(u).join(', ')});
  let real = u32(labels[${u(rows)}]);
  var sum = 0.0;
  for (var i = local.x; i < real; i = i + ${u(WORKGROUP)}) {
    var z: array<f32, ${classes}>;
    var top = -3.0e38;
    for (var j = 0u; j < ${u(classes)}; j = j + 1u) {
      var value = params[${u(layout.headBias)} + j] / ${widths.length}.0;
      for (var f = 0u; f < widths[m]; f = f + 1u) {
        value = value + features[i * ${u(featureDim)} + begins[m] + f] * params[${u(layout.headKernel)} + (begins[m] + f) * ${u(classes)} + j];
      }
      z[j] = value;
      top = max(top, value);
    }
    var total = 0.0;
    for (var j = 0u; j < ${u(classes)}; j = j + 1u) { total = total + exp(z[j] - top); }
    sum = sum + exp(z[u32(labels[i])] - top) / total;
  }
  let score = workgroupSum(local.x, sum);
  if (local.x == 0u) { scores[m] = score; }
}`;
}

/**
 * Adds each modality's k_u of a modulating step to tally[u] and 1 to tally[M] (the step count), for the run's
 * record of how hard OGM-GE slowed each encoder (methods/ogm-tally.ts). Bindings: scores, tally, settings.
 * Dispatch [1].
 */
export function ogmTallyKernel(modalities: number, alpha: number): string {
  return /* wgsl */ `
${SETTINGS}
${storageBindings([
  ['scores', 'read'],
  ['tally', 'read_write'],
])}
@group(0) @binding(2) var<uniform> settings: Modulation;
${coefficient(modalities, alpha)}

@compute @workgroup_size(1)
fn main() {
  if (settings.modulate == 0u) { return; }
  for (var u = 0u; u < ${u(modalities)}; u = u + 1u) { tally[u] = tally[u] + coefficient(u); }
  tally[${u(modalities)}] = tally[${u(modalities)}] + 1.0;
}`;
}

/** One modulated weight: a slot of the gradient buffer, its modality, its index among that modality's modulated weights. */
export interface ModulatedWeight {
  offset: number;
  size: number;
  modality: number;
  index: number;
}

/**
 * std(g) of one weight before its modulation (unbiased, two-pass, as PyTorch's std), into sigma[slot]. One
 * workgroup. Bindings: grads, scores, sigma, settings (scores unread, kept so both OGM kernels bind alike).
 * Dispatch [1].
 */
export function ogmSigmaKernel(weight: ModulatedWeight, slot: number, modalities: number, alpha: number): string {
  return /* wgsl */ `
${SETTINGS}
${storageBindings([
  ['grads', 'read'],
  ['scores', 'read'],
  ['sigma', 'read_write'],
])}
@group(0) @binding(3) var<uniform> settings: Modulation;
${WORKGROUP_SUM}
${coefficient(modalities, alpha)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) local: vec3u) {
  if (settings.modulate == 0u) { return; }
  _ = coefficient(${u(weight.modality)});
  var sum = 0.0;
  for (var i = local.x; i < ${u(weight.size)}; i = i + ${u(WORKGROUP)}) { sum = sum + grads[${u(weight.offset)} + i]; }
  let mean = workgroupSum(local.x, sum) / ${weight.size}.0;
  var squares = 0.0;
  for (var i = local.x; i < ${u(weight.size)}; i = i + ${u(WORKGROUP)}) {
    let d = grads[${u(weight.offset)} + i] - mean;
    squares = squares + d * d;
  }
  let total = workgroupSum(local.x, squares);
  if (local.x == 0u) { sigma[${u(slot)}] = sqrt(total / ${Math.max(weight.size - 1, 1)}.0); }
}`;
}

/** g ← g·k_u + gaussian(key of this weight and step, i)·(σ + 1e-8). Bindings: grads, scores, sigma, settings. Dispatch [ceil(size/256)]. */
export function ogmApplyKernel(weight: ModulatedWeight, slot: number, modalities: number, alpha: number): string {
  return /* wgsl */ `
${SETTINGS}
${storageBindings([
  ['grads', 'read_write'],
  ['scores', 'read'],
  ['sigma', 'read'],
])}
@group(0) @binding(3) var<uniform> settings: Modulation;
${coefficient(modalities, alpha)}
${WGSL_GAUSSIAN}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (settings.modulate == 0u || i >= ${u(weight.size)}) { return; }
  let key = pcgHash(settings.stepKey ^ pcgHash(${u(weight.modality * 4096 + weight.index)}));
  let at = ${u(weight.offset)} + i;
  grads[at] = grads[at] * coefficient(${u(weight.modality)}) + gaussian(key, i) * (sigma[${u(slot)}] + 1e-8);
}`;
}
