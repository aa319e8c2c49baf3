import * as tf from '@tensorflow/tfjs';
import { hitCount, oneHotTargets } from './batch-targets';
import type { DataSource } from './data-source';

/**
 * One training step of a linear classifier (one dense layer, logits = x·W + b) with softmax
 * cross-entropy, its gradient written out: ∂L/∂logits = (softmax − onehot)/batch, dW = xᵀ·that,
 * db = Σ that. The same numbers `tf.variableGrads` finds (engine/train/fit.ts `trainStep`), without
 * recording a tape: the linear probes and the decision classifier (paper 3.1, 4.2) take ~7,000 such small
 * steps per run, where the tape's bookkeeping cost as much as the arithmetic (bench/: ~1.8 → ~0.8 ms per
 * step, 128 features, batch 64). Returns the loss and the hit count as device scalars, as `trainStep`.
 */
export function linearStep(
  options: { source: DataSource; labels: Int32Array; classes: number },
  batch: number[],
  variables: tf.Variable[],
  optimizer: tf.Optimizer,
): { loss: tf.Scalar; hits: tf.Scalar } {
  const [kernel, bias] = variables as [tf.Variable, tf.Variable];
  return tf.tidy(() => {
    const [x] = options.source.inputs(batch) as [tf.Tensor2D];
    const targets = oneHotTargets(options.labels, batch, options.classes);
    const logits = tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D;
    const logProbabilities = tf.logSoftmax(logits);
    const outputGradient = tf.div(tf.sub(tf.exp(logProbabilities), targets), batch.length);
    optimizer.applyGradients({
      [kernel.name]: tf.matMul(x, outputGradient, true, false),
      [bias.name]: tf.sum(outputGradient, 0),
    });
    const loss = tf.keep(tf.neg(tf.div(tf.sum(tf.mul(targets, logProbabilities)), batch.length))) as tf.Scalar;
    const hits = tf.keep(hitCount(logits, targets));
    return { loss, hits };
  });
}

/** Whether `model` is what `linearStep` trains: one dense layer with a bias and no activation, on one input. */
export function isLinearClassifier(model: tf.LayersModel): boolean {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const [dense] = layers;
  if (layers.length !== 1 || !dense || dense.getClassName() !== 'Dense' || model.inputs.length !== 1) return false;
  const config = dense.getConfig() as { activation?: string; useBias?: boolean };
  return config.activation === 'linear' && config.useBias === true && dense.trainableWeights.length === 2;
}
