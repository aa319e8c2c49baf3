import * as tf from '@tensorflow/tfjs';

/** One-hot targets `[batch.length, classes]` of the samples in `batch` (indices into `labels`). */
export function oneHotTargets(labels: Int32Array, batch: number[], classes: number): tf.Tensor2D {
  return tf.oneHot(
    tf.tensor1d(
      batch.map((i) => labels[i] ?? 0),
      'int32',
    ),
    classes,
  ) as tf.Tensor2D;
}

/** How many rows' largest logit is the target class: a device scalar, read once per epoch by the caller. */
export function hitCount(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1)), 'float32')) as tf.Scalar;
}
