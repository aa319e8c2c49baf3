import * as tf from '@tensorflow/tfjs';
import { AUTO_DISTILL_WEIGHTS, type RunConfig } from '../../protocol/run';
import type { TrainedTeacher } from '../teachers';
import { trainFusedModel } from './fused-training';
import type { ExtraLoss } from '../../train/loss-terms';
import type { TrainedCandidate, TrainingMethod } from './method';

/** The distillation weights a run trains UMT with: the configured one, or each of {@link AUTO_DISTILL_WEIGHTS}. */
export function distillWeights(config: Pick<RunConfig, 'distillWeight'>): number[] {
  return config.distillWeight === 'auto' ? [...AUTO_DISTILL_WEIGHTS] : [config.distillWeight];
}

/**
 * UMT's distillation term (paper A.4, Algorithm 1): w · Σ_m MSE(student features_m, frozen teacher features_m),
 * each MSE the mean over the batch and the feature dimensions (PyTorch's nn.MSELoss default, which the
 * paper's code uses). The teachers' features come from the cache computed once after teacher training.
 */
export function distillationLoss(teachers: TrainedTeacher[], weight: number): ExtraLoss {
  const loss: ExtraLoss = (outputs, batch) => {
    const terms = teachers.map((teacher, m) => {
      const target = tf.tensor2d(teacher.features.rows(batch), [batch.length, teacher.features.dim]);
      return tf.mean(tf.squaredDifference(outputs[m + 1] as tf.Tensor, target));
    });
    return tf.mul(tf.addN(terms), weight) as tf.Scalar;
  };
  loss.distillation = { weight, targets: teachers.map((teacher) => teacher.features) };
  return loss;
}

/**
 * Uni-Modal Teacher (paper 3.3, A.4): late fusion trained with cross-entropy plus feature-level MSE
 * distillation from each modality's frozen teacher, which keeps every encoder learning its own modality.
 * Paper A.2: task weight 1, distillation weight 50. With `--distill-weight auto` it trains once per weight
 * of {@link AUTO_DISTILL_WEIGHTS} on the same teachers; the pipeline keeps the weight best on validation.
 */
export const umt: TrainingMethod = {
  id: 'umt',
  label: 'UMT',
  reference: 'Du et al. 2023, §3.3 and A.4 (Uni-Modal Teacher)',
  needsTeachers: true,
  trains:
    'one fused network distilled from the teachers, as long as late fusion (four times with --distill-weight auto)',
  loss: (config, weight) =>
    `cross-entropy + ${weight ?? config.distillWeight} × Σ_modalities MSE(student features, teacher features), MSE = mean over batch and feature dimensions`,
  trainsIn: ({ goOn, requested }) => goOn === 'umt' || requested.includes('umt'),
  train: async (context) => {
    const weights = distillWeights(context.run.config);
    const trained: TrainedCandidate[] = [];
    try {
      for (const weight of weights) {
        trained.push(
          await trainFusedModel(context, {
            method: 'umt',
            // A fixed weight keeps the phase's old name, so runs and checkpoints from before `auto` resume.
            phase: weights.length === 1 ? { phase: 'umt' } : { phase: 'umt', model: `weight-${weight}` },
            extraLoss: distillationLoss(context.teachers, weight),
            distillWeight: weight,
          }),
        );
      }
    } catch (error) {
      trained.forEach((c) => c.networks.forEach((n) => n.model.dispose()));
      throw error;
    }
    return trained;
  },
};
