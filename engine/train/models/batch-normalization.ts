import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from '../../runtime/backends/wasm/wasm-batch-norm';

/** The fields of tfjs-layers' BatchNormalization this subclass reads (private in its typings). */
interface BatchNormFields {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

const TfjsBatchNormalization = tf.layers.batchNormalization({}).constructor as new (
  args: BatchNormArgs,
) => tf.layers.Layer;

/**
 * tfjs-layers' BatchNormalization, with its training step in one kernel and one gradient kernel where the
 * backend has them (engine/runtime/backends/wasm-batch-norm.ts); elsewhere, and in inference, it is tfjs's
 * own layer. Same weights, same moving-average rule and the same class name, so saved models load as
 * plain BatchNormalization anywhere.
 */
export class BatchNormalization extends TfjsBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const fields = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = fields.axis === -1 || fields.axis === (x?.rank ?? 0) - 1;
    const fused =
      kwargs.training === true &&
      x !== undefined &&
      lastAxis &&
      fields.gamma &&
      fields.beta &&
      tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend());
    if (!fused) return (super.call as LayerCall).call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = tf
        .engine()
        .runKernel(
          BATCH_NORM_TRAINING,
          { x, gamma: fields.gamma!.read(), beta: fields.beta!.read() },
          { epsilon: fields.epsilon },
        ) as [tf.Tensor, tf.Tensor, tf.Tensor];
      // The layer's own rule: moving ← moving − (moving − batch)·(1 − momentum).
      for (const [moving, batch] of [
        [fields.movingMean, mean],
        [fields.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const current = moving.read();
          moving.write(tf.sub(current, tf.mul(tf.sub(current, batch), 1 - fields.momentum)));
        });
      }
      return y;
    });
  }
}

export function batchNormalization(args: BatchNormArgs): tf.layers.Layer {
  return new BatchNormalization(args);
}
