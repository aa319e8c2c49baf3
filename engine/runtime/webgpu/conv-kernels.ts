import { storageBindings, u, WORKGROUP_SUM, type TiledProduct } from './kernels';

/**
 * WGSL of the convolutional encoder's layers (engine/train/models/networks.ts: conv3×3 'same' without bias,
 * batch norm, ReLU, 2×2 max-pool, global average pooling), forward and backward, for activations in NHWC
 * (tfjs's layout, so weights copy to and from the tfjs model as they are). As in kernels.ts, every size and
 * offset is a constant of the source. A batch's real rows come first; `labels[rows]` says how many there are
 * (a short last batch is padded): batch statistics and gradients count the real rows only.
 */

const WORKGROUP = 256;

/** An image batch: `rows` samples of height × width × channels. */
export interface ImageShape {
  rows: number;
  height: number;
  width: number;
  channels: number;
}

const pixels = (s: ImageShape) => s.rows * s.height * s.width;
const elements = (s: ImageShape) => pixels(s) * s.channels;

/** Workgroups of 256 threads covering `total` elements: [x, y] under the 65,535 per dimension limit. */
export function flatWorkgroups(total: number): [number, number] {
  const groups = Math.ceil(total / WORKGROUP);
  const x = Math.min(groups, 65_535);
  return [x, Math.ceil(groups / x)];
}

/** The element index of a thread in a {@link flatWorkgroups} dispatch. */
function flatIndex(total: number): string {
  const [x] = flatWorkgroups(total);
  return `id.x + id.y * ${u(x * WORKGROUP)}`;
}

/** WGSL reading input pixel (b, y + dy, x + dx, ci) of output pixel p, 0 outside the image ('same' padding). */
function patchRead(source: string, offset: number, s: ImageShape, pixel: string, tap: string, channel: string): string {
  return `let b = ${pixel} / ${u(s.height * s.width)};
  let yx = ${pixel} % ${u(s.height * s.width)};
  let y = i32(yx / ${u(s.width)}) + i32(${tap} / 3u) - 1;
  let x = i32(yx % ${u(s.width)}) + i32(${tap} % 3u) - 1;
  if (y < 0 || y >= ${s.height} || x < 0 || x >= ${s.width}) { return 0.0; }
  return ${source}[${u(offset)} + ((b * ${u(s.height)} + u32(y)) * ${u(s.width)} + u32(x)) * ${u(s.channels)} + ${channel}];`;
}

export interface ConvSpec {
  /** The input batch (its channels are the kernel's input channels). */
  input: ImageShape;
  filters: number;
  /** Offset of the kernel `[3, 3, in, filters]` in the parameter (or gradient) buffer. */
  kernelOffset: number;
}

/** Forward, as an implicit GEMM (patches read in place): out[p, co] = Σ_(tap, ci) in[p + tap, ci] · K[tap, ci, co]. Bindings: input, params, out. */
export function convForwardKernel(spec: ConvSpec): TiledProduct {
  const { input: s, filters } = spec;
  return {
    m: pixels(s),
    n: filters,
    k: 9 * s.channels,
    bindings: storageBindings([
      ['input', 'read'],
      ['params', 'read'],
      ['out', 'read_write'],
    ]),
    loadA: patchRead('input', 0, s, 'i', `(kk / ${u(s.channels)})`, `kk % ${u(s.channels)}`),
    loadB: `return params[${u(spec.kernelOffset)} + kk * ${u(filters)} + j];`,
    store: `out[i * ${u(filters)} + j] = value;`,
  };
}

/**
 * The gradient of the convolution's input (the 3×3 kernel flipped, input and output channels swapped):
 * dIn[p, ci] = Σ_(tap, co) dOut[p − tap, co] · K[tap, ci, co]. Bindings: dOut, params, dIn.
 */
export function convInputGradKernel(spec: ConvSpec): TiledProduct {
  const { input: s, filters } = spec;
  const outShape = { ...s, channels: filters };
  // dOut at (y + 1 − ky, x + 1 − kx) is dOut read at tap 8 − tap, the flipped kernel.
  return {
    m: pixels(s),
    n: s.channels,
    k: 9 * filters,
    bindings: storageBindings([
      ['dOut', 'read'],
      ['params', 'read'],
      ['dIn', 'read_write'],
    ]),
    loadA: patchRead('dOut', 0, outShape, 'i', `(8u - kk / ${u(filters)})`, `kk % ${u(filters)}`),
    loadB: `return params[${u(spec.kernelOffset)} + ((kk / ${u(filters)}) * ${u(s.channels)} + j) * ${u(filters)} + kk % ${u(filters)}];`,
    store: `dIn[i * ${u(s.channels)} + j] = value;`,
  };
}

/** How many partial sums a filter gradient is split into: about 32 tiles of 16 pixels each. */
export function filterGradSplits(input: ImageShape): number {
  return Math.max(1, Math.min(256, Math.floor(pixels(input) / 512)));
}

/**
 * The kernel's gradient, dK[tap, ci, co] = Σ_p in[p + tap, ci] · dOut[p, co], a sum over every pixel of the
 * batch split into {@link filterGradSplits} partial sums (written to `partial[split]`, summed by
 * {@link sumSplitsKernel}). Bindings: input, dOut, partial.
 */
export function convFilterGradKernel(spec: ConvSpec): TiledProduct {
  const { input: s, filters } = spec;
  const m = 9 * s.channels;
  return {
    m,
    n: filters,
    k: pixels(s),
    splits: filterGradSplits(s),
    bindings: storageBindings([
      ['input', 'read'],
      ['dOut', 'read'],
      ['partial', 'read_write'],
    ]),
    loadA: patchRead('input', 0, s, 'kk', `(i / ${u(s.channels)})`, `i % ${u(s.channels)}`),
    loadB: `return dOut[kk * ${u(filters)} + j];`,
    store: `partial[split * ${u(m * filters)} + i * ${u(filters)} + j] = value;`,
  };
}

/** out[outOffset + e] = Σ_s partial[s · size + e]: a split product's partial sums, added up. Bindings: partial, out. */
export function sumSplitsKernel(size: number, splits: number, outOffset: number): string {
  return /* wgsl */ `
${storageBindings([
  ['partial', 'read'],
  ['out', 'read_write'],
])}

${elementwiseMain(size)}
  var sum = 0.0;
  for (var s = 0u; s < ${u(splits)}; s = s + 1u) { sum = sum + partial[s * ${u(size)} + e]; }
  out[${u(outOffset)} + e] = sum;
}`;
}

/** Where a batch-norm layer's parameters are in the parameter buffer (gradients of γ and β at the same offsets in theirs). */
export interface BatchNormSlots {
  gamma: number;
  beta: number;
  movingMean: number;
  movingVariance: number;
  epsilon: number;
  momentum: number;
}

/** The entry point of a kernel of one thread per element e < total (and its channel c, given the channel count). */
const elementwiseMain = (total: number, channels?: number) => `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let e = ${flatIndex(total)};
  if (e >= ${u(total)}) { return; }${
    channels === undefined
      ? ''
      : `
  let c = e % ${u(channels)};`
  }`;

/** The entry point of a per-channel reduction, one workgroup per channel c, over the `count` real pixels. */
const perChannelMain = (s: ImageShape) => `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let c = group.x;
  let count = u32(labels[${u(s.rows)}]) * ${u(s.height * s.width)};`;

/**
 * Batch norm's training statistics, one workgroup per channel: the mean and the biased variance (the mean of
 * the centred squares, as tf.moments) over the real rows' pixels, into stats [mean × C, 1/√(variance + ε) × C];
 * and the layer's moving averages, moving ← moving − (moving − batch)·(1 − momentum) (tfjs-layers' rule).
 * Bindings: x, labels, stats, params. Dispatch [channels].
 */
export function batchNormStatsKernel(s: ImageShape, bn: BatchNormSlots): string {
  const c = s.channels;
  return /* wgsl */ `
${storageBindings([
  ['x', 'read'],
  ['labels', 'read', 'i32'],
  ['stats', 'read_write'],
  ['params', 'read_write'],
])}
${WORKGROUP_SUM}

${perChannelMain(s)}
  var sum = 0.0;
  for (var e = local.x; e < count; e = e + ${u(WORKGROUP)}) { sum = sum + x[e * ${u(c)} + c]; }
  let mean = workgroupSum(local.x, sum) / f32(count);
  var squares = 0.0;
  for (var e = local.x; e < count; e = e + ${u(WORKGROUP)}) {
    let d = x[e * ${u(c)} + c] - mean;
    squares = squares + d * d;
  }
  let variance = workgroupSum(local.x, squares) / f32(count);
  if (local.x == 0u) {
    stats[c] = mean;
    stats[${u(c)} + c] = 1.0 / sqrt(variance + ${bn.epsilon});
    let movingMean = params[${u(bn.movingMean)} + c];
    params[${u(bn.movingMean)} + c] = movingMean - (movingMean - mean) * ${1 - bn.momentum};
    let movingVariance = params[${u(bn.movingVariance)} + c];
    params[${u(bn.movingVariance)} + c] = movingVariance - (movingVariance - variance) * ${1 - bn.momentum};
  }
}`;
}

/**
 * y = ReLU((x − mean)·γ/√(variance + ε) + β) per element: in training with the batch's statistics (stats from
 * {@link batchNormStatsKernel}), in inference with the moving averages. Bindings: x, params, y, and in
 * training stats. Dispatch {@link flatWorkgroups}(elements).
 */
export function batchNormReluKernel(s: ImageShape, bn: BatchNormSlots, training: boolean): string {
  const c = s.channels;
  const total = elements(s);
  const scale = training ? `stats[${u(c)} + c]` : `1.0 / sqrt(params[${u(bn.movingVariance)} + c] + ${bn.epsilon})`;
  const mean = training ? 'stats[c]' : `params[${u(bn.movingMean)} + c]`;
  return /* wgsl */ `
${storageBindings([['x', 'read'], ['params', 'read'], ['y', 'read_write'], ...(training ? [['stats', 'read'] as const] : [])])}

${elementwiseMain(total, c)}
  let normal = (x[e] - ${mean}) * ${scale};
  y[e] = max(normal * params[${u(bn.gamma)} + c] + params[${u(bn.beta)} + c], 0.0);
}`;
}

/**
 * The backward pass of batch norm + ReLU, first half, one workgroup per channel: with g = dY·1[Y > 0] and
 * x̂ = (x − mean)/σ over the real rows, dβ = Σ g and dγ = Σ g·x̂ (into grads), both kept in sums for the
 * second half. Bindings: dY, y, x, stats, labels, grads, sums. Dispatch [channels].
 */
export function batchNormGradSumsKernel(s: ImageShape, bn: BatchNormSlots): string {
  const c = s.channels;
  return /* wgsl */ `
${storageBindings([
  ['dY', 'read'],
  ['y', 'read'],
  ['x', 'read'],
  ['stats', 'read'],
  ['labels', 'read', 'i32'],
  ['grads', 'read_write'],
  ['sums', 'read_write'],
])}
${WORKGROUP_SUM}

${perChannelMain(s)}
  let mean = stats[c];
  let scale = stats[${u(c)} + c];
  var dBeta = 0.0;
  var dGamma = 0.0;
  for (var e = local.x; e < count; e = e + ${u(WORKGROUP)}) {
    let at = e * ${u(c)} + c;
    let g = select(0.0, dY[at], y[at] > 0.0);
    dBeta = dBeta + g;
    dGamma = dGamma + g * (x[at] - mean) * scale;
  }
  let totalBeta = workgroupSum(local.x, dBeta);
  let totalGamma = workgroupSum(local.x, dGamma);
  if (local.x == 0u) {
    grads[${u(bn.beta)} + c] = totalBeta;
    grads[${u(bn.gamma)} + c] = totalGamma;
    sums[c] = totalBeta;
    sums[${u(c)} + c] = totalGamma;
  }
}`;
}

/**
 * Second half: dx = γσ⁻¹/N · (N·g − Σg − x̂·Σg·x̂) over the N real pixels of a channel; 0 in padding rows.
 * Bindings: dY, y, x, stats, labels, params, sums, dX. Dispatch {@link flatWorkgroups}(elements).
 */
export function batchNormGradKernel(s: ImageShape, bn: BatchNormSlots): string {
  const c = s.channels;
  const total = elements(s);
  const perRow = s.height * s.width * c;
  return /* wgsl */ `
${storageBindings([
  ['dY', 'read'],
  ['y', 'read'],
  ['x', 'read'],
  ['stats', 'read'],
  ['labels', 'read', 'i32'],
  ['params', 'read'],
  ['sums', 'read'],
  ['dX', 'read_write'],
])}

${elementwiseMain(total)}
  let real = u32(labels[${u(s.rows)}]);
  if (e / ${u(perRow)} >= real) { dX[e] = 0.0; return; }
  let c = e % ${u(c)};
  let n = f32(real * ${u(s.height * s.width)});
  let scale = stats[${u(c)} + c];
  let g = select(0.0, dY[e], y[e] > 0.0);
  let normal = (x[e] - stats[c]) * scale;
  dX[e] = params[${u(bn.gamma)} + c] * scale / n * (n * g - sums[c] - normal * sums[${u(c)} + c]);
}`;
}

/** The output of a 2×2, stride-2 max-pool ('valid': an odd last row or column is dropped). */
export function pooledShape(s: ImageShape): ImageShape {
  return { ...s, height: Math.floor(s.height / 2), width: Math.floor(s.width / 2) };
}

/** 2×2 max-pool. Bindings: x, y. Dispatch {@link flatWorkgroups}(pooled elements). */
export function maxPoolKernel(s: ImageShape): string {
  const p = pooledShape(s);
  const total = elements(p);
  return /* wgsl */ `
${storageBindings([
  ['x', 'read'],
  ['y', 'read_write'],
])}

${elementwiseMain(total, s.channels)}
  let q = e / ${u(s.channels)};
  let px = q % ${u(p.width)};
  let py = (q / ${u(p.width)}) % ${u(p.height)};
  let b = q / ${u(p.width * p.height)};
  let at = ((b * ${u(s.height)} + 2u * py) * ${u(s.width)} + 2u * px) * ${u(s.channels)} + c;
  y[e] = max(max(x[at], x[at + ${u(s.channels)}]), max(x[at + ${u(s.width * s.channels)}], x[at + ${u((s.width + 1) * s.channels)}]));
}`;
}

/**
 * The max-pool's gradient: each window's output gradient goes to its first largest input (row by row, as
 * tfjs's maxPoolBackprop), 0 to the others and to a dropped row or column. Bindings: x, dY, dX.
 * Dispatch {@link flatWorkgroups}(input elements).
 */
export function maxPoolGradKernel(s: ImageShape): string {
  const p = pooledShape(s);
  const total = elements(s);
  return /* wgsl */ `
${storageBindings([
  ['x', 'read'],
  ['dY', 'read'],
  ['dX', 'read_write'],
])}

${elementwiseMain(total, s.channels)}
  let q = e / ${u(s.channels)};
  let ix = q % ${u(s.width)};
  let iy = (q / ${u(s.width)}) % ${u(s.height)};
  let b = q / ${u(s.width * s.height)};
  if (iy >= ${u(2 * p.height)} || ix >= ${u(2 * p.width)}) { dX[e] = 0.0; return; }
  let corner = ((b * ${u(s.height)} + (iy & ~1u)) * ${u(s.width)} + (ix & ~1u)) * ${u(s.channels)} + c;
  let offsets = array<u32, 4>(0u, ${u(s.channels)}, ${u(s.width * s.channels)}, ${u((s.width + 1) * s.channels)});
  var best = 0u;
  for (var w = 1u; w < 4u; w = w + 1u) {
    if (x[corner + offsets[w]] > x[corner + offsets[best]]) { best = w; }
  }
  let mine = (iy & 1u) * 2u + (ix & 1u);
  let pooled = ((b * ${u(p.height)} + iy / 2u) * ${u(p.width)} + ix / 2u) * ${u(s.channels)} + c;
  dX[e] = select(0.0, dY[pooled], mine == best);
}`;
}

/** Global average pooling, y[b, c] = mean over the pixels of x[b, ·, ·, c]. Bindings: x, y. Dispatch {@link flatWorkgroups}(rows × channels). */
export function globalAveragePoolKernel(s: ImageShape): string {
  const total = s.rows * s.channels;
  const area = s.height * s.width;
  return /* wgsl */ `
${storageBindings([
  ['x', 'read'],
  ['y', 'read_write'],
])}

${elementwiseMain(total, s.channels)}
  let b = e / ${u(s.channels)};
  var sum = 0.0;
  for (var p = 0u; p < ${u(area)}; p = p + 1u) { sum = sum + x[(b * ${u(area)} + p) * ${u(s.channels)} + c]; }
  y[e] = sum / ${area}.0;
}`;
}

/** Its gradient: dX[b, ·, ·, c] = dY[b, c] / pixels. Bindings: dY, dX. Dispatch {@link flatWorkgroups}(elements). */
export function globalAveragePoolGradKernel(s: ImageShape): string {
  const total = elements(s);
  const area = s.height * s.width;
  return /* wgsl */ `
${storageBindings([
  ['dY', 'read'],
  ['dX', 'read_write'],
])}

${elementwiseMain(total, s.channels)}
  let b = e / ${u(area * s.channels)};
  dX[e] = dY[b * ${u(s.channels)} + c] / ${area}.0;
}`;
}

export { elements as imageElements };
