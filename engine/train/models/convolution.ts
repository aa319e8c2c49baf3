import * as tf from '@tensorflow/tfjs';

/** The fields of tfjs-layers' Conv2D this subclass reads (private in its typings). */
interface ConvFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: 'valid' | 'same';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: [number, number];
  activation: { getClassName(): string } | null;
}

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

const TfjsConv2D = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as new (
  args: ConvArgs,
) => tf.layers.Layer;

/**
 * tfjs-layers' Conv2D, except in training without bias or activation (the encoders' convolutions, which
 * batch normalisation follows): there it calls the plain convolution instead of tfjs's fused one. The
 * fused convolution's gradient always computes the gradient with respect to its input as well, which for
 * an encoder's first convolution is the gradient with respect to the images: nobody uses it, and it cost
 * ~12 ms of a ~350 ms CNN step on wasm (`npm run bench:profile -- cnn`). The plain convolution's gradient
 * computes only what the tape asks for. Same weights and class name, so saved models are plain Conv2D.
 */
export class Conv2D extends TfjsConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const fields = this as unknown as ConvFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const plain =
      kwargs.training === true &&
      x?.rank === 4 &&
      fields.bias === null &&
      fields.dataFormat === 'channelsLast' &&
      (fields.activation === null || fields.activation.getClassName() === 'linear');
    if (!plain) return (super.call as LayerCall).call(this, inputs, kwargs);
    return tf.conv2d(
      x as tf.Tensor4D,
      fields.kernel.read() as tf.Tensor4D,
      fields.strides,
      fields.padding,
      'NHWC',
      fields.dilationRate,
    );
  }
}

export function conv2d(args: ConvArgs): tf.layers.Layer {
  return new Conv2D(args);
}
