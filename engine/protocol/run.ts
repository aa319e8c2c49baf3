/**
 * Training runs as the engine reports them: the config a host sends, the events it streams back, and the
 * result. Pure types; the CLI, the run store and the UI consume them.
 */

export type Method = 'auto' | 'umt' | 'ume';
export type ChosenMethod = 'umt' | 'ume';
export type BackendChoice = 'auto' | 'gpu' | 'native' | 'wasm' | 'cpu';
export type OptimizerName = 'adam' | 'sgd';
export type ScheduleName = 'none' | 'step' | 'plateau';

export interface RunConfig {
  method: Method;
  /** Epochs of the fused models (late fusion, UMT). */
  epochs: number;
  /** Epochs of each uni-modal teacher. */
  teacherEpochs: number;
  /** Epochs of the linear classifiers (decision trick and laziness probes), trained on cached features. */
  probeEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  /** Early stopping: epochs without a better validation accuracy before training stops (best weights kept). */
  patience: number;
  /** UMT's weight of the feature-distillation MSE (paper A.2: 50). */
  distillWeight: number;
  seed: number;
  backend: BackendChoice;
  /** Hidden widths of the MLP encoders of vector modalities; the last is the feature size. */
  mlpHidden: number[];
  /** Channels of the conv-BN-ReLU blocks of image and audio encoders. */
  cnnChannels: number[];
  /** Feature size of the CNN encoders (a dense layer after global average pooling). */
  cnnFeatureDim: number;
  /** Bootstrap resamples for the decision's confidence interval. */
  bootstrapSamples: number;
}

/**
 * Defaults of every run (the settings step shows them). Paper A.2: Adam with LR 1e-3 (VGG-Sound),
 * cross-entropy task loss with weight 1 and MSE distillation with weight 50, 20 epochs. The encoder sizes
 * are ours, small enough for a laptop CPU.
 */
export const DEFAULT_CONFIG: RunConfig = {
  method: 'auto',
  epochs: 20,
  teacherEpochs: 20,
  probeEpochs: 40,
  batchSize: 64,
  learningRate: 1e-3,
  optimizer: 'adam',
  schedule: 'plateau',
  patience: 5,
  distillWeight: 50,
  seed: 0,
  backend: 'auto',
  mlpHidden: [128, 128],
  cnnChannels: [32, 64],
  cnnFeatureDim: 128,
  bootstrapSamples: 1000,
};

export type PhaseName = 'teacher' | 'decision' | 'late-fusion' | 'umt' | 'ume' | 'probe' | 'evaluation';

export interface PhaseRef {
  phase: PhaseName;
  /** The modality, for a teacher or a probe. */
  modality?: string;
  /** Which encoder a probe reads: the teacher's, late fusion's or UMT's. */
  model?: string;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  durationMs: number;
}

export interface Evaluation {
  model: string;
  split: 'val' | 'test';
  accuracy: number;
  macroF1: number;
  /** Accuracy within each class, in class order. */
  perClassAccuracy: number[];
  /** `confusion[actual][predicted]` counts. */
  confusion: number[][];
}

export interface Decision {
  method: ChosenMethod;
  /** True when the user's `--method` chose, not the trick. */
  overridden: boolean;
  linearProbeAccuracy: number;
  averagedPredictionAccuracy: number;
  /** Each modality's slice of the multi-modal linear classifier, alone (paper A.7.1). */
  sliceAccuracy: Record<string, number>;
  /** Bootstrap 95% interval of linearProbeAccuracy − averagedPredictionAccuracy. */
  differenceInterval: [number, number];
  split: 'val';
}

export interface BackendInfo {
  name: string;
  tfBackend: string;
  version: string;
  threads: number;
  /** wasm: whether the engine's own SIMD kernels run (else tfjs's kernels do; the last digits differ). */
  simdKernels?: boolean;
}

export type RunEvent =
  | { type: 'started'; backend: BackendInfo }
  | ({ type: 'phase-started' } & PhaseRef)
  | ({ type: 'phase-finished'; durationMs: number; stoppedEarly?: boolean; bestEpoch?: number } & PhaseRef)
  | ({ type: 'epoch' } & PhaseRef & EpochMetrics)
  | ({ type: 'batch'; epoch: number; epochs: number; batch: number; batches: number } & PhaseRef)
  | { type: 'decision'; decision: Decision }
  | { type: 'evaluation'; evaluation: Evaluation }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface LazinessRow {
  teacher: number;
  lateFusion: number;
  umt?: number;
}

export interface RunResult {
  backend: BackendInfo;
  config: RunConfig;
  dataset: { name: string; fingerprint: string; classes: string[]; modalities: string[] };
  decision: Decision;
  test: {
    teachers: Record<string, number>;
    ume: number;
    lateFusion: number;
    umt?: number;
    final: number;
  };
  laziness: Record<string, LazinessRow>;
  evaluations: Evaluation[];
  durationMs: number;
}

export function otherMethod(method: ChosenMethod): ChosenMethod {
  return method === 'umt' ? 'ume' : 'umt';
}

/** What the decision trick itself ruled (paper 3.3), whether or not the user's choice overrode it. */
export function trickMethod(decision: Pick<Decision, 'method' | 'overridden'>): ChosenMethod {
  return decision.overridden ? otherMethod(decision.method) : decision.method;
}
