/**
 * WGSL of the compiled training step. Every size, offset and stride is a constant baked into the source, so
 * one step's pipelines and bind groups are made once and a step is only dispatches (no uniform per op, the
 * cost that makes tfjs's WebGPU backend slow: ../shared/gpu/DEVICE.md). Matrices live in flat f32 buffers;
 * a matrix view is (offset, row stride, column stride), so a transpose or a column slice of a concatenation
 * is a view, never a copy.
 */

/** Where element (i, j) of a matrix is in its buffer: `offset + i * row + j * col`. */
export interface View {
  offset: number;
  row: number;
  col: number;
}

const TILE = 16;
/** A WGSL u32 literal. */
export const u = (n: number) => `${Math.trunc(n)}u`;

/** WGSL declarations of group 0's storage bindings, numbered in order: [name, access, element type (f32 unless said)]. */
export function storageBindings(
  list: readonly (readonly [name: string, access: 'read' | 'read_write', type?: 'i32'])[],
): string {
  return list
    .map(
      ([name, access, type], binding) =>
        `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type ?? 'f32'}>;`,
    )
    .join('\n');
}

/** A sum over a workgroup of 256 threads (every thread gets it). */
export const WORKGROUP_SUM = /* wgsl */ `
var<workgroup> partial: array<f32, 256>;

fn workgroupSum(i: u32, value: f32) -> f32 {
  partial[i] = value;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (i < s) { partial[i] = partial[i] + partial[i + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}`;

export const rowMajor = (offset: number, columns: number): View => ({ offset, row: columns, col: 1 });
export const transposed = (offset: number, columns: number): View => ({ offset, row: 1, col: columns });

export interface MatMulSpec {
  /** C[m, n] = A[m, k] · B[k, n] (+ bias[n]) (then ReLU). */
  m: number;
  n: number;
  k: number;
  a: View;
  b: View;
  /** C is written row-major at `c.offset` with row stride `c.row` (a column slice of a wider matrix when `c.row > n`). */
  c: View;
  /** Offset of the bias vector in the bias buffer (binding 3). */
  biasOffset?: number;
  relu?: boolean;
  /** C += A·B instead of C = A·B (a gradient with a second contribution). */
  accumulate?: boolean;
}

/**
 * A tiled product C[m, n] = Σ_kk A(i, kk) · B(kk, j), 16×16 outputs per workgroup, where A and B are WGSL
 * functions (a matrix view, or a convolution's patches read in place) and the result goes where `store`
 * says. With `splits` > 1 the kk range is cut in that many pieces, one per workgroup z, each storing its own
 * partial sum (`split` in `store`): a long, thin product (a filter gradient sums over every pixel of the
 * batch) then has enough workgroups to fill a GPU. Dispatch [ceil(n/16), ceil(m/16), splits].
 */
export interface TiledProduct {
  m: number;
  n: number;
  k: number;
  /** WGSL bindings the loads and the store use. */
  bindings: string;
  /** Body of `fn loadA(i: u32, kk: u32) -> f32`, called with i < m and kk < k. */
  loadA: string;
  /** Body of `fn loadB(kk: u32, j: u32) -> f32`, called with kk < k and j < n. */
  loadB: string;
  /** Statements storing `value` for output (i, j) of split `split` (i < m, j < n). */
  store: string;
  splits?: number;
}

export function tiledProductKernel(spec: TiledProduct): string {
  const { m, n, k } = spec;
  const tiles = Math.ceil(k / TILE);
  const perSplit = Math.ceil(tiles / (spec.splits ?? 1));
  return /* wgsl */ `
${spec.bindings}
var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;

fn loadA(i: u32, kk: u32) -> f32 {
  ${spec.loadA}
}

fn loadB(kk: u32, j: u32) -> f32 {
  ${spec.loadB}
}

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u) {
  let i = group.y * ${u(TILE)} + local.y;
  let j = group.x * ${u(TILE)} + local.x;
  let split = group.z;
  var sum = 0.0;
  for (var t = split * ${u(perSplit)}; t < min((split + 1u) * ${u(perSplit)}, ${u(tiles)}); t = t + 1u) {
    let ka = t * ${u(TILE)} + local.x;
    let kb = t * ${u(TILE)} + local.y;
    tileA[local.y][local.x] = select(0.0, loadA(min(i, ${u(m - 1)}), min(ka, ${u(k - 1)})), i < ${u(m)} && ka < ${u(k)});
    tileB[local.y][local.x] = select(0.0, loadB(min(kb, ${u(k - 1)}), min(j, ${u(n - 1)})), kb < ${u(k)} && j < ${u(n)});
    workgroupBarrier();
    for (var s = 0u; s < ${u(TILE)}; s = s + 1u) {
      sum = sum + tileA[local.y][s] * tileB[s][local.x];
    }
    workgroupBarrier();
  }
  if (i < ${u(m)} && j < ${u(n)}) {
    var value = sum;
    ${spec.store}
  }
}`;
}

export function tiledWorkgroups(spec: Pick<TiledProduct, 'm' | 'n' | 'splits'>): [number, number, number] {
  return [Math.ceil(spec.n / TILE), Math.ceil(spec.m / TILE), spec.splits ?? 1];
}

/** Matrix product of two views (+ bias, then ReLU); bindings: a, b, c (read-write), bias. Dispatch [ceil(n/16), ceil(m/16)]. */
export function matMulKernel(spec: MatMulSpec): string {
  const { m, n, k, a, b, c } = spec;
  const bias = spec.biasOffset !== undefined;
  return tiledProductKernel({
    m,
    n,
    k,
    bindings: `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
${bias ? '@group(0) @binding(3) var<storage, read> bias: array<f32>;' : ''}`,
    loadA: `return a[${u(a.offset)} + i * ${u(a.row)} + kk * ${u(a.col)}];`,
    loadB: `return b[${u(b.offset)} + kk * ${u(b.row)} + j * ${u(b.col)}];`,
    store: `${bias ? `value = value + bias[${u(spec.biasOffset ?? 0)} + j];` : ''}
    ${spec.relu ? 'value = max(value, 0.0);' : ''}
    ${spec.accumulate ? `value = value + c[${u(c.offset)} + i * ${u(c.row)} + j];` : ''}
    c[${u(c.offset)} + i * ${u(c.row)} + j] = value;`,
  });
}

export function matMulWorkgroups(spec: Pick<MatMulSpec, 'm' | 'n'>): [number, number] {
  return [Math.ceil(spec.n / TILE), Math.ceil(spec.m / TILE)];
}

/**
 * The gradient through a ReLU, dZ = dY ⊙ 1[Y > 0], for a [rows, columns] block (Y is the layer's output, so
 * Y > 0 exactly where its pre-activation was). Bindings: dY, Y, dZ. Dispatch [ceil(columns/16), ceil(rows/16)].
 */
export function reluGradKernel(rows: number, columns: number, dy: View, y: View, dz: View): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> dz: array<f32>;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.y;
  let j = id.x;
  if (i >= ${u(rows)} || j >= ${u(columns)}) { return; }
  let grad = dy[${u(dy.offset)} + i * ${u(dy.row)} + j * ${u(dy.col)}];
  let out = y[${u(y.offset)} + i * ${u(y.row)} + j * ${u(y.col)}];
  dz[${u(dz.offset)} + i * ${u(dz.row)} + j * ${u(dz.col)}] = select(0.0, grad, out > 0.0);
}`;
}

/** out[j] = Σ_i x(i, j) over `rows` rows: a bias gradient. Bindings: x, out. Dispatch [ceil(columns/64)]. */
export function columnSumKernel(rows: number, columns: number, x: View, outOffset: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let j = id.x;
  if (j >= ${u(columns)}) { return; }
  var sum = 0.0;
  for (var i = 0u; i < ${u(rows)}; i = i + 1u) {
    sum = sum + x[${u(x.offset)} + i * ${u(x.row)} + j * ${u(x.col)}];
  }
  out[${u(outOffset)} + j] = sum;
}`;
}

/**
 * Softmax cross-entropy of `rows` rows of `classes` logits against integer labels, as tfjs's
 * `losses.softmaxCrossEntropy` (mean over the batch), times `weight` (G-Blending weighs each head's term):
 * per row, loss_i = w·(log Σ exp(z − max) − (z_label − max)), and the gradient of the mean,
 * dZ = w·(softmax − onehot) / n over the n rows with a label. A row labelled −1 pads a short last batch: no
 * loss, no gradient, not counted. `correct` is 1 where the top logit is the label (ties to the first, as
 * argMax). Bindings: logits, labels (i32, `rows` labels then n, the count of labelled rows, written once by
 * the host so no thread counts them), dLogits, rowLoss, correct; row i's loss and hit go to `rowOffset + i`.
 */
export function softmaxCrossEntropyKernel(rows: number, classes: number, weight = 1, rowOffset = 0): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> dLogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> rowLoss: array<f32>;
@group(0) @binding(4) var<storage, read_write> correct: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${u(rows)}) { return; }
  let base = i * ${u(classes)};
  let at = ${u(rowOffset)} + i;
  if (labels[i] < 0) {
    rowLoss[at] = 0.0;
    correct[at] = 0.0;
    for (var j = 0u; j < ${u(classes)}; j = j + 1u) { dLogits[base + j] = 0.0; }
    return;
  }
  let valid = f32(labels[${u(rows)}]);
  var top = logits[base];
  var best = 0u;
  for (var j = 1u; j < ${u(classes)}; j = j + 1u) {
    if (logits[base + j] > top) { top = logits[base + j]; best = j; }
  }
  var total = 0.0;
  for (var j = 0u; j < ${u(classes)}; j = j + 1u) { total = total + exp(logits[base + j] - top); }
  let label = u32(labels[i]);
  rowLoss[at] = ${weight} * (log(total) - (logits[base + label] - top));
  correct[at] = select(0.0, 1.0, best == label);
  for (var j = 0u; j < ${u(classes)}; j = j + 1u) {
    let p = exp(logits[base + j] - top) / total;
    dLogits[base + j] = ${weight} * (p - select(0.0, 1.0, j == label)) / valid;
  }
}`;
}

/**
 * UMT's distillation term on the concatenated features (paper A.4): w · Σ_m mean((F_m − T_m)²), each mean
 * over the labelled rows and modality m's feature columns, adds 2w(F_m − T_m) / (n·d_m) to dF. Bindings:
 * features, teacher features (same layout), dFeatures (read-write), labels (with n after them, as for the
 * cross-entropy), rowDistill (each row's term).
 * Dispatch [ceil(width/16), ceil(rows/16)] for the gradient; the row terms are written by column 0's threads.
 */
export function distillationKernel(rows: number, widths: number[], weight: number): string {
  const width = widths.reduce((a, b) => a + b, 0);
  const starts = widths.map((_, m) => widths.slice(0, m).reduce((a, b) => a + b, 0));
  const dims = `array<u32, ${widths.length}>(${widths.map(u).join(', ')})`;
  const begins = `array<u32, ${widths.length}>(${starts.map(u).join(', ')})`;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> features: array<f32>;
@group(0) @binding(1) var<storage, read> teacher: array<f32>;
@group(0) @binding(2) var<storage, read_write> dFeatures: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<i32>;
@group(0) @binding(4) var<storage, read_write> rowDistill: array<f32>;

fn modalityOf(j: u32) -> u32 {
  var m = 0u;
  let begins = ${begins};
  for (var k = 1u; k < ${u(widths.length)}; k = k + 1u) { if (j >= begins[k]) { m = k; } }
  return m;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.y;
  let j = id.x;
  if (i >= ${u(rows)} || j >= ${u(width)}) { return; }
  let valid = f32(labels[${u(rows)}]);
  let dims = ${dims};
  let begins = ${begins};
  if (labels[i] >= 0) {
    let at = i * ${u(width)} + j;
    let diff = features[at] - teacher[at];
    dFeatures[at] = dFeatures[at] + 2.0 * ${weight} * diff / (valid * f32(dims[modalityOf(j)]));
  }
  if (j == 0u) {
    var term = 0.0;
    if (labels[i] >= 0) {
      for (var m = 0u; m < ${u(widths.length)}; m = m + 1u) {
        var sum = 0.0;
        for (var c = 0u; c < dims[m]; c = c + 1u) {
          let at = i * ${u(width)} + begins[m] + c;
          let diff = features[at] - teacher[at];
          sum = sum + diff * diff;
        }
        term = term + ${weight} * sum / (valid * f32(dims[m]));
      }
    }
    rowDistill[i] = term;
  }
}`;
}

/**
 * Modality dropout on the concatenated features (models/modality-dropout.ts): x[i, j] ← x[i, j] · mask[j], in
 * place, the mask 0 over the dropped modality's columns (written by the host when the choice changes). Applied to
 * the features in the forward pass and to their gradient in the backward pass. Bindings: x, mask. Dispatch
 * [ceil(columns/16), ceil(rows/16)].
 */
export function maskColumnsKernel(rows: number, columns: number): string {
  return rowsKernel(
    rows,
    columns,
    [
      ['x', 'read_write'],
      ['mask', 'read'],
    ],
    `
  let at = r * ${u(columns)} + c;
  x[at] = x[at] * mask[c];`,
  );
}

/**
 * The auxiliary heads' terms (Auxiliary-CE, G-Blending) as the accumulator's extra column takes them: each row's
 * share of the batch mean, rowExtra[i] = Σ_heads rowLoss[head · rows + i] / n (the rows hold each head's
 * weighted cross-entropy). Bindings: rowLoss, labels, rowExtra. Dispatch [ceil(rows/64)].
 */
export function auxiliaryRowsKernel(rows: number, heads: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> rowLoss: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> rowExtra: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= ${u(rows)}) { return; }
  var sum = 0.0;
  for (var h = 0u; h < ${u(heads)}; h = h + 1u) { sum = sum + rowLoss[h * ${u(rows)} + i]; }
  rowExtra[i] = sum / f32(labels[${u(rows)}]);
}`;
}

/**
 * Adds the batch's sums to an accumulator read once per epoch, not per step: [Σ row losses, steps, hits,
 * labelled samples, Σ row distillation terms × labelled samples]. One thread: a batch's rows are few.
 * Bindings: rowLoss, correct, labels, rowDistill, accumulator.
 */
export function accumulateLossKernel(rows: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> rowLoss: array<f32>;
@group(0) @binding(1) var<storage, read> correct: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read> rowDistill: array<f32>;
@group(0) @binding(4) var<storage, read_write> accumulator: array<f32>;

@compute @workgroup_size(1)
fn main() {
  var loss = 0.0;
  var hits = 0.0;
  var distill = 0.0;
  for (var i = 0u; i < ${u(rows)}; i = i + 1u) {
    loss = loss + rowLoss[i];
    hits = hits + correct[i];
    distill = distill + rowDistill[i];
  }
  let valid = f32(labels[${u(rows)}]);
  accumulator[0] = accumulator[0] + loss;
  accumulator[1] = accumulator[1] + 1.0;
  accumulator[2] = accumulator[2] + hits;
  accumulator[3] = accumulator[3] + valid;
  // rowDistill holds each row's share of the batch mean; × valid turns it into a per-sample sum.
  accumulator[4] = accumulator[4] + distill * valid;
}`;
}

/**
 * The batch gathered from data resident on the GPU (the training split uploaded once per phase, not once per step):
 * `dst[r, :] = src[index[r], :]` for the `rows` batch rows, zeros where `index[r]` is −1 (a short last
 * batch's padding). `index` holds the rows' sample positions and, after them, how many are real.
 */
export function gatherRowsKernel(rows: number, width: number): string {
  return rowsKernel(
    rows,
    width,
    [
      ['src', 'read'],
      ['index', 'read', 'i32'],
      ['dst', 'read_write'],
    ],
    `
  let at = index[r];
  dst[r * ${u(width)} + c] = select(0.0, src[u32(max(at, 0)) * ${u(width)} + c], at >= 0);`,
  );
}

/** `dst` (a view, e.g. a column slice of the concatenated features) = `src` (`[rows, width]`, row-major). Dispatch [ceil(width/16), ceil(rows/16)]. */
export function copyRowsKernel(rows: number, width: number, dst: View): string {
  return rowsKernel(
    rows,
    width,
    [
      ['src', 'read'],
      ['dst', 'read_write'],
    ],
    `
  dst[${u(dst.offset)} + r * ${u(dst.row)} + c * ${u(dst.col)}] = src[r * ${u(width)} + c];`,
  );
}

/** A kernel with one thread per element of a `[rows, width]` block (`r`, `c`), running `body`. Dispatch [ceil(width/16), ceil(rows/16)]. */
function rowsKernel(
  rows: number,
  width: number,
  bindings: Parameters<typeof storageBindings>[0],
  body: string,
): string {
  return /* wgsl */ `
${storageBindings(bindings)}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let c = id.x;
  let r = id.y;
  if (c >= ${u(width)} || r >= ${u(rows)}) { return; }${body}
}
`;
}

/** The batch's labels gathered the same way: `labels[r] = all[index[r]]` (−1 for padding), then the count of real rows. */
export function gatherLabelsKernel(rows: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> all: array<i32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> labels: array<i32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  if (r > ${u(rows)}) { return; }
  if (r == ${u(rows)}) { labels[r] = index[r]; return; }
  let at = index[r];
  labels[r] = select(-1, all[u32(max(at, 0))], at >= 0);
}
`;
}
