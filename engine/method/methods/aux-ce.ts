import * as tf from '@tensorflow/tfjs';
import { oneHotTargets } from '../../train/batch-targets';
import type { ExtraLoss } from '../../train/loss-terms';
import type { TrainingMethod } from './method';
import { trainFusedModel } from './fused-training';

/**
 * Σ_m w_m · CE(head_m): the cross-entropy of each modality's own linear head on its encoder's features,
 * weighted. The model's outputs are `[fused logits, features × M, auxiliary logits × M]` (buildFusion with
 * auxiliaryHeads). G-Blending weighs them by its estimates.
 */
export function weightedHeadLosses(labels: Int32Array, classes: number, weights: number[]): ExtraLoss {
  const modalities = weights.length;
  const loss: ExtraLoss = (outputs, batch) => {
    const targets = oneHotTargets(labels, batch, classes);
    const terms = weights.map((weight, m) => {
      const crossEntropy = tf.losses.softmaxCrossEntropy(targets, outputs[1 + modalities + m] as tf.Tensor2D);
      return weight === 1 ? crossEntropy : tf.mul(crossEntropy, weight);
    });
    return tf.addN(terms) as tf.Scalar;
  };
  loss.auxiliary = { weights };
  return loss;
}

/** The auxiliary terms of Auxiliary-CE (paper §4.3, Table 3.4): every modality head's cross-entropy, weight 1 as the fused head's. */
export function auxiliaryCrossEntropy(labels: Int32Array, classes: number, modalities: number): ExtraLoss {
  return weightedHeadLosses(labels, classes, new Array<number>(modalities).fill(1));
}

/**
 * Auxiliary-CE (paper §4.3, one of the late-fusion fixes the paper compares UMT with): late fusion plus one
 * linear head per modality on its encoder's features; loss = fused cross-entropy + Σ uni-modal
 * cross-entropies, equal weights. Predicts with the fused head. Trained when asked for (`--methods aux-ce`).
 */
export const auxCe: TrainingMethod = {
  id: 'aux-ce',
  label: 'Auxiliary CE',
  reference: 'Du et al. 2023, §4.3 (late fusion with uni-modal auxiliary cross-entropy losses)',
  needsTeachers: false,
  trains: 'one fused network with a head per modality, as long as late fusion',
  loss: () =>
    "cross-entropy of the fused head + Σ_modalities cross-entropy of each modality's own head (equal weights)",
  trainsIn: ({ requested }) => requested.includes('aux-ce'),
  train: async (context) => [
    await trainFusedModel(context, {
      method: 'aux-ce',
      phase: { phase: 'aux-ce' },
      auxiliaryHeads: true,
      extraLoss: auxiliaryCrossEntropy(context.run.labels, context.run.classes.length, context.run.modalities.length),
    }),
  ],
};
