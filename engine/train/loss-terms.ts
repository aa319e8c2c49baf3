import type * as tf from '@tensorflow/tfjs';
import type { CoefficientTally } from './coefficient-tally';

/*
 * What a method adds to the training loop's step, declared so that the loop (fit.ts) and the compiled WebGPU
 * step (compiled/compiled-trainer.ts) can both apply it: extra loss terms and a gradient rule.
 */

/**
 * Between `tf.variableGrads` and `applyGradients` (engine/train/fit.ts): a method that changes gradients
 * (OGM-GE scales each modality's encoder gradients) returns them by variable name; the loop disposes the
 * input gradients and every returned tensor that is not one of them. `outputs` are the model's outputs on the
 * batch, as the loss saw them; `epoch` counts from 1, `step` (the batch within the epoch) from 0.
 */
export type GradientHook = ((
  grads: tf.NamedTensorMap,
  step: { outputs: tf.Tensor[]; targets: tf.Tensor2D; batch: number[]; epoch: number; step: number },
) => tf.NamedTensorMap) & { modulation?: GradientModulation };

/**
 * OGM-GE's modulation (ogm-ge.ts) declared with its hook, so the compiled WebGPU step can apply it in its own
 * kernels: α, the last modulated epoch, and the seed of the GE noise.
 */
export interface GradientModulation {
  alpha: number;
  lastModulatedEpoch: number;
  seed: number;
  /** Where the modulated steps' coefficients are summed (the tfjs hook and the compiled step both add to it). */
  tally?: CoefficientTally;
}

/**
 * Extra loss terms of a fused model, added to the fused head's cross-entropy on training batches. A term that
 * is UMT's feature distillation says so in `distillation` (its weight and the targets per encoder), one of
 * auxiliary heads' cross-entropies in `auxiliary`, which lets the compiled WebGPU step (engine/train/webgpu)
 * compute it in its own kernels instead of this tfjs code.
 */
export type ExtraLoss = ((outputs: tf.Tensor[], batch: number[]) => tf.Scalar) & {
  distillation?: DistillationTerm;
  auxiliary?: AuxiliaryTerm;
};

/** Σ_m w_m · CE(auxiliary head m) (Auxiliary-CE, G-Blending), declared so the compiled WebGPU step computes it in its kernels. */
export interface AuxiliaryTerm {
  weights: number[];
}

/** w · Σ_m MSE(encoder m's features, targets m's rows of the batch) (paper A.4), MSE = mean over batch and features. */
export interface DistillationTerm {
  weight: number;
  targets: { dim: number; rows(indices: number[]): Float32Array }[];
}
