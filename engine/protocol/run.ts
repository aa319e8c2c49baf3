/**
 * Training runs as the engine reports them: the config a host sends, the events it streams back, and the
 * result. Pure types; the CLI, the run store and the UI consume them.
 */
import { SETTING_LIST, type ChoiceOf, type RunSettings } from './settings';

/** The paper's flow (3.3): let the decision trick choose, or go on with UMT or UME whatever it says. */
export type Method = ChoiceOf<'method'>;
export type ChosenMethod = 'umt' | 'ume';
/**
 * A model a run can train and report, by its id in the method registry (engine/method/methods):
 * `late-fusion`, `ume`, `umt`, and `teacher:<modality>` for each teacher alone.
 */
export type MethodId = string;
export type BackendChoice = ChoiceOf<'backend'>;
export type OptimizerName = ChoiceOf<'optimizer'>;
export type ScheduleName = ChoiceOf<'schedule'>;
/**
 * `method`: each method trains with the recipe it declares (OGM-GE its authors'; the others the run's).
 * `shared`: every method on the run's recipe, for a like-for-like comparison of the methods alone.
 */
export type RecipeRule = ChoiceOf<'recipe'>;

/** How a network was trained: recorded with every candidate, since results depend on it. */
export interface Recipe {
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD's momentum (0 for Adam, whose β's are tfjs's defaults). */
  momentum: number;
  /** L2 weight decay added to every gradient (wd·w), as PyTorch's optimizers' `weight_decay`. */
  weightDecay: number;
  schedule: ScheduleName;
  /** `step`: the share of the epochs after which the rate is multiplied by 0.1 (and again after each such span). */
  stepShare?: number;
}
/**
 * How the final model is chosen on validation (engine/method/select-final.ts): the best mean validation
 * accuracy, or the recommendation whenever the best is within noise of it.
 */
export type FinalChoiceRule = ChoiceOf<'finalRule'>;

/** A run's settings: one value per row of the settings table (engine/protocol/settings.ts), where each is described. */
export type RunConfig = RunSettings;

/** Defaults of every run, from the settings table (engine/protocol/settings.ts, which says where each comes from). */
export const DEFAULT_CONFIG: RunConfig = Object.fromEntries(
  SETTING_LIST.map((setting) => [setting.id, Array.isArray(setting.default) ? [...setting.default] : setting.default]),
) as RunConfig;

/**
 * `--distill-weight auto` trains UMT at each of these and keeps the one best on validation: the paper uses 50
 * (A.2) and varies it in its appendix; BalanceBenchmark's UMT uses 1.
 */
export const AUTO_DISTILL_WEIGHTS = [1, 5, 20, 50] as const;

/** The seeds a run trains with: `seed`, `seed + 1`, … (`seeds` of them). */
export function runSeeds(config: Pick<RunConfig, 'seed' | 'seeds'>): number[] {
  return Array.from({ length: config.seeds }, (_, i) => config.seed + i);
}

/** The shared phases, and each method's training, named by its method id (`late-fusion`, `umt`, …). */
export type PhaseName = 'teacher' | 'decision' | 'probe' | 'evaluation' | MethodId;

export interface PhaseRef {
  phase: PhaseName;
  /** The seed this phase trains with (runs with several seeds repeat every phase but the decision). */
  seed?: number;
  /** The modality, for a teacher or a probe. */
  modality?: string;
  /** Which encoder a probe reads: the teacher's, late fusion's or UMT's. */
  model?: string;
}

export interface EpochMetrics {
  epoch: number;
  /** The whole training loss: cross-entropy plus the method's extra terms. */
  trainLoss: number;
  /** The method's extra loss terms alone (UMT: the weighted distillation MSE), when it has any. */
  trainExtraLoss?: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  durationMs: number;
}

export interface Evaluation {
  /** A method id of the registry (`late-fusion`, `ume`, `umt`, `teacher:<modality>`). */
  model: MethodId;
  seed: number;
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
  /** Bootstrap 95% interval of linearProbeAccuracy − averagedPredictionAccuracy (over samples and seeds). */
  differenceInterval: [number, number];
  split: 'val';
  /**
   * How the joint classifier's epoch was chosen: early stopping on a stratified held-out `share` of the
   * training split (`epochs`: the epoch kept, per seed), never on `split`, where it is compared. Absent for
   * runs made before the held-out selection, whose classifier was stopped on the validation split itself.
   */
  selection?: DecisionSelection;
}

export interface DecisionSelection {
  split: 'train-holdout';
  share: number;
  epochs: number[];
}

/** An accuracy over the run's seeds: mean, sample standard deviation (0 for one seed) and each seed's value. */
export interface SeedStat {
  mean: number;
  sd: number;
  perSeed: number[];
}

/** One model the run trained, as a candidate for the final model. */
export interface CandidateResult {
  method: MethodId;
  label: string;
  val: SeedStat;
  test: SeedStat;
  /** UMT: the distillation weight it trained with (chosen on validation with `--distill-weight auto`). */
  distillWeight?: number;
  /** `--distill-weight auto`: each weight's mean validation accuracy. */
  weightSearch?: { weight: number; val: SeedStat }[];
  /** What the method estimated from the training split, per seed (G-Blending: each head's loss weight). */
  estimated?: { seed: number; values: Estimate[]; heads?: BlendHead[]; modulation?: ModulationMean[] }[];
  /** Training time of this candidate, all seeds (0 for UME: nothing trains). */
  trainingMs: number;
  /** How its networks trained (UME and the teachers: the run's recipe, which trained the teachers). */
  recipe?: Recipe;
}

/**
 * One head of G-Blending's estimation (Wang et al. 2020): its cross-entropy evaluated on the trained part of
 * the training split (train) and the held-out part, at initialisation (0) and after the N estimation epochs,
 * and the weight that follows from them (G/ΔO², normalised over the heads).
 */
export interface BlendHead {
  /** `fused`, or the modality whose uni-modal head this is. */
  head: string;
  trainLoss0: number;
  heldOutLoss0: number;
  trainLossN: number;
  heldOutLossN: number;
  weight: number;
}

/**
 * OGM-GE (Peng et al. 2022): one modality's coefficient k = 1 − tanh(α·ρ) (1 when it is the weakest), averaged
 * over the steps that modulated: how much, on average, its encoder's gradient was scaled down.
 */
export interface ModulationMean {
  modality: string;
  meanCoefficient: number;
  steps: number;
}

/** A number a method estimated while training, in words, recorded with the run. */
export interface Estimate {
  label: string;
  value: number;
}

/** Which candidate became the final model, and why, in words built from the numbers (never from test). */
export interface FinalChoice {
  method: MethodId;
  /** The method the run went on with at the decision: the trick's recommendation, or the user's choice. */
  recommended: ChosenMethod;
  /** Whether `recommended` came from the user overriding the trick. */
  overridden: boolean;
  val: SeedStat;
  test: SeedStat;
  /** The validation-best candidate, and the 95% interval of its validation lead over the recommendation. */
  best: MethodId;
  interval: [number, number] | null;
  reason: string;
}

/** A modality's encoder in a fused model against its teacher (paper 3.1), in words and numbers. */
export interface LazinessVerdict {
  modality: string;
  model: MethodId;
  teacher: number;
  fused: number;
  /** 95% interval of fused − teacher probe accuracy (test split, over samples and seeds). */
  interval: [number, number];
  verdict: 'lazy' | 'within-noise' | 'not-lazy';
  text: string;
}

export interface BackendInfo {
  name: string;
  tfBackend: string;
  version: string;
  threads: number;
  /** wasm: whether the engine's own SIMD kernels run (else tfjs's kernels do; the last digits differ). */
  simdKernels?: boolean;
  /** webgpu: the adapter it ran on, as the adapter describes itself. */
  adapter?: { vendor: string; architecture: string; description: string; software?: boolean };
  /** `--backend auto`: what was measured on the run's own model, and why this backend was chosen. */
  choice?: BackendChoiceEvidence;
}

/** The evidence of `auto`'s choice: each backend's milliseconds per step of the run's model, or why it was not timed. */
export interface BackendChoiceEvidence {
  measured: { name: string; msPerStep?: number; note?: string }[];
  reason: string;
}

export type RunEvent =
  | { type: 'started'; backend: BackendInfo }
  | ({ type: 'phase-started' } & PhaseRef)
  | ({ type: 'phase-finished'; durationMs: number; stoppedEarly?: boolean; bestEpoch?: number } & PhaseRef)
  | ({ type: 'epoch' } & PhaseRef & EpochMetrics)
  | ({ type: 'batch'; epoch: number; epochs: number; batch: number; batches: number } & PhaseRef)
  | { type: 'decision'; decision: Decision }
  | { type: 'evaluation'; evaluation: Evaluation }
  | { type: 'final'; final: FinalChoice }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/** One row of the results table: `(seed, model, split, metric, value)`. */
export interface ResultRow {
  seed: number;
  model: MethodId;
  split: 'val' | 'test';
  metric: 'accuracy' | 'macro-f1';
  value: number;
}

/** One laziness probe: the linear probe of `model`'s encoder of `modality` (the teacher's: `teacher:<modality>`). */
export interface LazinessEntry {
  seed: number;
  modality: string;
  model: MethodId;
  accuracy: number;
}

export interface RunResult {
  backend: BackendInfo;
  config: RunConfig;
  dataset: { name: string; fingerprint: string; classes: string[]; modalities: string[] };
  decision: Decision;
  seeds: number[];
  candidates: Record<MethodId, CandidateResult>;
  final: FinalChoice;
  /** Mean test accuracy of each model, as before method ids existed (`final`: the final model's). */
  test: {
    teachers: Record<string, number>;
    ume: number;
    lateFusion: number;
    umt?: number;
    final: number;
  };
  results: ResultRow[];
  laziness: LazinessEntry[];
  lazinessVerdicts: LazinessVerdict[];
  /** Things the user should know about the advice (a final model other than the recommendation, under-trained teachers). */
  notices: string[];
  evaluations: Evaluation[];
  /** Wall time of the run, waiting for the user's decision included. */
  durationMs: number;
  /** Of that, the time it waited at its decision for the user's answer (0 when it did not ask). */
  waitingMs?: number;
}

const METHOD_LABELS: Record<string, string> = {
  'late-fusion': 'Late fusion',
  ume: 'UME',
  umt: 'UMT',
  'aux-ce': 'Auxiliary CE',
  'modality-dropout': 'Modality dropout',
  'ogm-ge': 'OGM-GE',
  'g-blending': 'G-Blending',
  auto: 'auto',
};

/**
 * A method id in words where no candidate label is at hand (run lists, progress): `teacher:<modality>`, the
 * paper's methods, else the id itself. A run's candidates carry their registry labels.
 */
export function methodLabel(id: MethodId): string {
  if (id.startsWith('teacher:')) return `Teacher · ${id.slice('teacher:'.length)}`;
  return METHOD_LABELS[id] ?? id;
}

export function otherMethod(method: ChosenMethod): ChosenMethod {
  return method === 'umt' ? 'ume' : 'umt';
}

/** What the decision trick itself ruled (paper 3.3), whether or not the user's choice overrode it. */
export function trickMethod(decision: Pick<Decision, 'method' | 'overridden'>): ChosenMethod {
  return decision.overridden ? otherMethod(decision.method) : decision.method;
}
