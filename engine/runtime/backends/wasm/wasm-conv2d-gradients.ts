import * as tf from '@tensorflow/tfjs';
import { kernelCalls, replaceWasmKernel, type KernelFunc, type TensorInfo } from './wasm-kernel-calls';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Strides = [number, number] | number;

/**
 * Both gradients of a 2-D convolution on wasm, as forward convolutions, which XNNPACK runs fast (wasm's own
 * Conv2DBackpropInput is a naive loop, ~13x slower than a forward convolution of the same size, and it has
 * no Conv2DBackpropFilter at all). NHWC, dilation 1 (the only case tfjs differentiates).
 */
export function registerWasmConvGradients(): void {
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
    });
  }
  replaceWasmKernel('Conv2DBackpropInput', (original) => (params) => conv2DBackpropInput(original, params as never));
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  strides: Strides,
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

interface FilterGradientAttrs {
  strides: Strides;
  pad: Pad;
  dataFormat: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} x_pad[n, oh·sh + kh, ow·sw + kw, ci] · dy[n, oh, ow, co]
 *
 * Two ways, both in XNNPACK, picked by which costs less (`npm run bench:profile -- cnn`): with few input
 * channels (Ci·KH·KW ≤ Co, the encoders' first block) as a product of patches and dy; otherwise as a
 * convolution with dy as the filter.
 */
function conv2DBackpropFilter({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: tf.KernelBackend;
  attrs: FilterGradientAttrs;
}): TensorInfo {
  const { x, dy } = inputs;
  if (attrs.dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${attrs.dataFormat}.`);
  const [kernelHeight, kernelWidth, inChannels, outChannels] = attrs.filterShape;
  return inChannels * kernelHeight * kernelWidth <= outChannels
    ? filterGradientFromPatches(x, dy, backend, attrs)
    : filterGradientAsConvolution(x, dy, backend, attrs);
}

/**
 * The filter gradient as patchesᵀ · dy. The patches — for every output position, the input each filter
 * tap saw — come from a depthwise convolution of x with one-hot filters (tap t's filter is 1 at tap t):
 * `[N·OH·OW, Ci·KH·KW]`, column (ci, t), with the convolution's own strides and padding. ~15 ms per call
 * for x `[64, 32, 32, 1]`, dy `[64, 32, 32, 32]`, where the convolution with dy as a 32×32 filter took
 * ~40 ms. (XNNPACK packs the product's right operand on every call, ~5 ns per value: with many input
 * channels the patches are too big for either side.)
 */
function filterGradientFromPatches(
  x: TensorInfo,
  dy: TensorInfo,
  backend: tf.KernelBackend,
  attrs: FilterGradientAttrs,
): TensorInfo {
  const [kernelHeight, kernelWidth, inChannels, outChannels] = attrs.filterShape;
  const calls = kernelCalls(backend);
  try {
    const oneHot = calls.temp(oneHotTapFilters(backend, kernelHeight, kernelWidth, inChannels));
    const patchImage = calls.temp(
      calls.run(
        'DepthwiseConv2dNative',
        { x, filter: oneHot },
        {
          strides: attrs.strides,
          pad: attrs.pad,
          dilations: [1, 1],
          ...(attrs.dimRoundingMode ? { dimRoundingMode: attrs.dimRoundingMode } : {}),
        },
      ),
    );
    const positions = patchImage.shape.slice(0, 3).reduce((a, b) => a * b, 1);
    const patches = calls.temp(
      calls.run('Reshape', { x: patchImage }, { shape: [1, positions, inChannels * kernelHeight * kernelWidth] }),
    );
    const dyRows = calls.temp(calls.run('Reshape', { x: dy }, { shape: [1, positions, outChannels] }));
    const product = calls.temp(
      calls.run('BatchMatMul', { a: patches, b: dyRows }, { transposeA: true, transposeB: false }),
    );
    const byChannel = calls.temp(
      calls.run('Reshape', { x: product }, { shape: [inChannels, kernelHeight, kernelWidth, outChannels] }),
    );
    return calls.run('Transpose', { x: byChannel }, { perm: [1, 2, 0, 3] });
  } finally {
    calls.free();
  }
}

/** `[KH, KW, Ci, KH·KW]`: filter[kh, kw, ci, t] = 1 where t = kh·KW + kw, else 0. */
function oneHotTapFilters(
  backend: tf.KernelBackend,
  kernelHeight: number,
  kernelWidth: number,
  inChannels: number,
): TensorInfo {
  const taps = kernelHeight * kernelWidth;
  const values = new Float32Array(taps * inChannels * taps);
  for (let t = 0; t < taps; t += 1) {
    for (let ci = 0; ci < inChannels; ci += 1) values[(t * inChannels + ci) * taps + t] = 1;
  }
  const dataId = backend.write(values, [kernelHeight, kernelWidth, inChannels, taps], 'float32');
  return { dataId, shape: [kernelHeight, kernelWidth, inChannels, taps], dtype: 'float32' };
}

/**
 * The filter gradient as a valid convolution of x_pad seen as `[ci, H, W, n]` (channels as batch, batch as
 * channels) with dy seen as a `[OH, OW, n, co]` filter, dilated by the stride; its `[ci, KH, KW, co]`
 * output, transposed, is dW. ~37 ms per call for x `[64, 16, 16, 32]`, dy `[64, 16, 16, 64]`.
 */
function filterGradientAsConvolution(
  x: TensorInfo,
  dy: TensorInfo,
  backend: tf.KernelBackend,
  attrs: FilterGradientAttrs,
): TensorInfo {
  const [kernelHeight, kernelWidth, inChannels, outChannels] = attrs.filterShape;
  const { padInfo, strideHeight, strideWidth } = convInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const calls = kernelCalls(backend);
  try {
    const padded =
      padInfo.top || padInfo.bottom || padInfo.left || padInfo.right
        ? calls.temp(
            calls.run(
              'PadV2',
              { x },
              {
                paddings: [
                  [0, 0],
                  [padInfo.top, padInfo.bottom],
                  [padInfo.left, padInfo.right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            ),
          )
        : x;
    const channelsAsBatch = calls.temp(calls.run('Transpose', { x: padded }, { perm: [3, 1, 2, 0] }));
    const dyAsFilter = calls.temp(calls.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
    let product = calls.temp(
      calls.run(
        'Conv2D',
        { x: channelsAsBatch, filter: dyAsFilter },
        { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [strideHeight, strideWidth] },
      ),
    );
    // Padding the bottom/right for 'same' can leave rows and columns no window starts from: cut them.
    if (product.shape[1] !== kernelHeight || product.shape[2] !== kernelWidth) {
      product = calls.temp(
        calls.run(
          'Slice',
          { x: product },
          { begin: [0, 0, 0, 0], size: [inChannels, kernelHeight, kernelWidth, outChannels] },
        ),
      );
    }
    return calls.run('Transpose', { x: product }, { perm: [1, 2, 0, 3] });
  } finally {
    calls.free();
  }
}

/**
 * dx = dy convolved (stride 1) with the filter flipped in space and with in/out channels swapped, padded by
 * KH−1−top … so that dx has x's size. Strided convolutions keep wasm's own kernel.
 */
function conv2DBackpropInput(
  original: KernelFunc,
  {
    inputs,
    backend,
    attrs,
  }: {
    inputs: { dy: TensorInfo; filter: TensorInfo };
    backend: tf.KernelBackend;
    attrs: {
      strides: Strides;
      pad: Pad;
      dataFormat: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
  },
): TensorInfo {
  const { dy, filter } = inputs;
  const [kernelHeight = 1, kernelWidth = 1] = filter.shape;
  const { padInfo, strideHeight, strideWidth } = convInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const pads = [
    kernelHeight - 1 - padInfo.top,
    kernelHeight - 1 - padInfo.bottom,
    kernelWidth - 1 - padInfo.left,
    kernelWidth - 1 - padInfo.right,
  ];
  if (attrs.dataFormat !== 'NHWC' || strideHeight !== 1 || strideWidth !== 1 || pads.some((p) => p < 0)) {
    return original({ inputs, backend, attrs: attrs as unknown as tf.NamedAttrMap }) as TensorInfo;
  }
  const calls = kernelCalls(backend);
  try {
    const flipped = calls.temp(calls.run('Reverse', { x: filter }, { dims: [0, 1] }));
    const swapped = calls.temp(calls.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
    const [top, bottom, left, right] = pads as [number, number, number, number];
    return calls.run(
      'Conv2D',
      { x: dy, filter: swapped },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
    );
  } finally {
    calls.free();
  }
}
