import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type KernelFunc = (params: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => TensorInfo | TensorInfo[];

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * The gradient of a 2-D convolution with respect to its filter, for the wasm backend, which ships without
 * this kernel (so CNNs cannot train there). Composed from kernels wasm has, as im2col + one matrix product:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x_pad[b, oh·sh + kh, ow·sw + kw, ci] · dy[b, oh, ow, co]
 *
 * The KH·KW shifted, strided views of the padded input are concatenated into patches
 * `[B·OH·OW, KH·KW·Cin]`, and `patchesᵀ · dy` `[KH·KW·Cin, Cout]` reshaped to `[KH, KW, Cin, Cout]` is dW.
 * Only NHWC with dilation 1 (the only case tfjs differentiates).
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc });
}

function kernel(name: string): KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`The wasm backend has no ${name} kernel, which the conv filter gradient needs.`);
  return config.kernelFunc as unknown as KernelFunc;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: tf.KernelBackend; attrs: BackpropFilterAttrs }): TensorInfo {
  const { x, dy } = inputs;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${attrs.dataFormat}.`);
  const [kernelHeight, kernelWidth, inChannels, outChannels] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const [batch] = x.shape as [number];
  const { outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap) => kernel(name)({ inputs: kernelInputs, backend, attrs: kernelAttrs }) as TensorInfo;
  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo) => {
    temporaries.push(t);
    return t;
  };
  try {
    const needsPad = padInfo.top || padInfo.bottom || padInfo.left || padInfo.right;
    const padded = needsPad
      ? keep(run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]], constantValue: 0 }))
      : x;
    const views: TensorInfo[] = [];
    for (let kh = 0; kh < kernelHeight; kh += 1) {
      for (let kw = 0; kw < kernelWidth; kw += 1) {
        const view = strideHeight === 1 && strideWidth === 1
          ? run('Slice', { x: padded }, { begin: [0, kh, kw, 0], size: [batch, outHeight, outWidth, inChannels] })
          : run('StridedSlice', { x: padded }, {
            begin: [0, kh, kw, 0],
            end: [batch, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
            strides: [1, strideHeight, strideWidth, 1],
            beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
          });
        views.push(keep(view));
      }
    }
    const rows = batch * outHeight * outWidth;
    const patches = views.length === 1 ? (views[0] as TensorInfo) : keep(run('Concat', views as unknown as tf.NamedTensorInfoMap, { axis: 3 }));
    const patches3d = keep(run('Reshape', { x: patches }, { shape: [1, rows, kernelHeight * kernelWidth * inChannels] }));
    const dy3d = keep(run('Reshape', { x: dy }, { shape: [1, rows, outChannels] }));
    const product = keep(run('BatchMatMul', { a: patches3d, b: dy3d }, { transposeA: true, transposeB: false }));
    return run('Reshape', { x: product }, { shape: [kernelHeight, kernelWidth, inChannels, outChannels] });
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}
