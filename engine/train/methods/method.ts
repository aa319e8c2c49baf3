import type * as tf from '@tensorflow/tfjs';
import type { BlendHead, ChosenMethod, Estimate, ModulationMean, MethodId, Recipe, RunConfig } from '../../protocol/run';
import type { RunContext } from '../context';
import type { FeatureSource } from '../data-source';
import type { TrainedTeacher } from '../teachers';
import type { CoefficientTally } from './ogm-tally';

/** What decides which methods a run trains. */
export interface RunPlan {
  goOn: ChosenMethod;
  requested: readonly MethodId[];
}

/** What a method's training sees: one seed's run context and that seed's teachers. */
export interface MethodContext {
  run: RunContext;
  teachers: TrainedTeacher[];
}

/**
 * Between `tf.variableGrads` and `applyGradients` (engine/train/fit.ts): a method that changes gradients
 * (OGM-GE scales each modality's encoder gradients) returns them by variable name; the loop disposes the
 * input gradients and every returned tensor that is not one of them. `outputs` are the model's outputs on the
 * batch, as the loss saw them; `epoch` counts from 1, `step` (the batch within the epoch) from 0.
 */
export type GradientHook = ((grads: tf.NamedTensorMap, step: { outputs: tf.Tensor[]; targets: tf.Tensor2D; batch: number[]; epoch: number; step: number }) => tf.NamedTensorMap) & { modulation?: GradientModulation };

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
export type ExtraLoss = ((outputs: tf.Tensor[], batch: number[]) => tf.Scalar) & { distillation?: DistillationTerm; auxiliary?: AuxiliaryTerm };

/** Σ_m w_m · CE(auxiliary head m) (Auxiliary-CE, G-Blending), declared so the compiled WebGPU step computes it in its kernels. */
export interface AuxiliaryTerm {
  weights: number[];
}

/** w · Σ_m MSE(encoder m's features, targets m's rows of the batch) (paper A.4), MSE = mean over batch and features. */
export interface DistillationTerm {
  weight: number;
  targets: { dim: number; rows(indices: number[]): Float32Array }[];
}

/** A network of a trained candidate: what `predict` loads, and the modalities it reads. */
export interface CandidateNetwork {
  name: string;
  modalities: string[];
  model: tf.LayersModel;
}

/** One trained model of one seed, with everything the pipeline needs from it once it is trained. */
export interface TrainedCandidate {
  method: MethodId;
  /**
   * Softmax rows `[samples, classes]` of every sample of the dataset. Every method predicts this way: the
   * mean of its networks' softmax outputs (one network for fused models and teachers; UME: all teachers).
   */
  probabilities: Float32Array;
  /** Fused models: each modality's encoder features for every sample, read by the laziness probes (paper 3.1). */
  encoderFeatures: FeatureSource[] | null;
  networks: CandidateNetwork[];
  /** Networks this candidate trained (a teacher's or UME's networks belong to the teachers). */
  ownsNetworks: boolean;
  distillWeight?: number;
  /** What the method estimated from the training split, in words with its value (G-Blending: each head's loss weight). */
  estimated?: Estimate[];
  /** G-Blending: each head's four evaluated losses and its weight. */
  heads?: BlendHead[];
  /** OGM-GE: each modality's mean coefficient over the steps that modulated. */
  modulation?: ModulationMean[];
  /** How its networks trained; the run's recipe when absent (UME, the teachers). */
  recipe?: Recipe;
  trainingMs: number;
}

/**
 * A training method: a file under engine/train/methods and a line in its registry. The pipeline trains
 * every method that {@link TrainingMethod.trainsIn} a run, each seed, and evaluates them all the same way.
 */
export interface TrainingMethod {
  id: MethodId;
  label: string;
  /** Where the method comes from, cited in the UI and the model card. */
  reference: string;
  /** Whether it needs the uni-modal teachers (UMT distils from them; UME averages them). */
  needsTeachers: boolean;
  /** What it trains, in words (the UI states each method's cost). */
  trains: string;
  /** The loss it optimises, in words (the model card records it). */
  loss(config: RunConfig, distillWeight?: number): string;
  /**
   * The recipe its authors train it with, when it is not the run's (OGM-GE: SGD with momentum and weight
   * decay). A run trains it so unless `--recipe shared` puts every method on the run's recipe.
   */
  recipe?: Recipe;
  /**
   * Whether a run trains it: `goOn` is the method the run goes on with after the decision (paper 3.3),
   * `requested` the methods the user asked for besides (`--methods`, `--compare all`).
   */
  trainsIn(plan: RunPlan): boolean;
  /**
   * Trains it for one seed. A method with a setting chosen on validation (UMT's `--distill-weight auto`)
   * returns one candidate per value; the pipeline keeps the value with the best mean validation accuracy.
   */
  train(context: MethodContext): Promise<TrainedCandidate[]>;
}
