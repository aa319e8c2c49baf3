import * as tf from '@tensorflow/tfjs';
import { sharedFitOptions, type RunContext } from './context';
import { CacheSource } from './data-source';
import { fitModel, type FitResult } from './fit';
import { buildFusion } from './models/networks';
import { inPhase } from './phase';
import type { TrainedTeacher } from './teachers';

/**
 * Trains a fresh late-fusion model. With `distillWeight` w > 0 this is UMT (paper A.4, Algorithm 1):
 *
 *   loss = CE(logits, y) + w · Σ_m MSE(student features_m, frozen teacher features_m)
 *
 * where each MSE is the mean over the batch and the feature dimensions (PyTorch's nn.MSELoss default,
 * which the paper's code uses); paper A.2: task weight 1, distillation weight 50. The teachers' features
 * come from the cache computed once after teacher training. With w = 0 it is naive late fusion, the
 * baseline every run reports.
 */
export async function trainFusion(context: RunContext, name: 'late-fusion' | 'umt', teachers: TrainedTeacher[], distillWeight: number): Promise<tf.LayersModel> {
  const phase = { phase: name };
  const { model } = await inPhase(context, phase, async () => {
    const fused = buildFusion(context.modalities, context.classes.length, context.config, context.seeds, name.replace('-', '_'));
    const extraLoss = distillWeight > 0
      ? (outputs: tf.Tensor[], batch: number[]) => {
        const terms = teachers.map((teacher, m) => {
          const target = tf.tensor2d(teacher.features.rows(batch), [batch.length, teacher.features.dim]);
          return tf.mean(tf.squaredDifference(outputs[m + 1] as tf.Tensor, target));
        });
        return tf.mul(tf.addN(terms), distillWeight) as tf.Scalar;
      }
      : undefined;
    let result: FitResult;
    try {
      result = await fitModel({
        ...sharedFitOptions(context),
        phase,
        model: fused,
        source: new CacheSource(context.reader, context.modalities.map((_, i) => i)),
        epochs: context.config.epochs,
        learningRate: context.config.learningRate,
        optimizer: context.config.optimizer,
        schedule: context.config.schedule,
        seed: context.seeds.take(),
        extraLoss,
        checkpoint: context.checkpoints?.forPhase(phase),
      });
    } catch (error) {
      fused.dispose();
      throw error;
    }
    return { model: fused, fit: result };
  });
  return model;
}
