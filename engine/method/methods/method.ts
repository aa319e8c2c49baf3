import type * as tf from '@tensorflow/tfjs';
import type {
  BlendHead,
  ChosenMethod,
  Estimate,
  ModulationMean,
  MethodId,
  Recipe,
  RunConfig,
} from '../../protocol/run';
import type { RunContext } from '../context';
import type { FeatureSource } from '../../train/data-source';
import type { TrainedTeacher } from '../teachers';

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
 * A training method: a file under engine/method/methods and a line in its registry. The pipeline trains
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
