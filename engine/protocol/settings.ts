import { METHOD_SETTINGS } from './method-settings';
import {
  choice,
  count,
  type ChoiceSetting,
  type IdsSetting,
  type ListSetting,
  type NumberSetting,
  type Setting,
  type SettingValue,
} from './setting';

/** The backends a run may ask for (`auto` measures; engine/runtime/backends/registry.ts checks it names the same). */
export const BACKEND_CHOICES = ['auto', 'gpu', 'native', 'wasm', 'cpu', 'webgpu'] as const;

/**
 * Every run setting, once: its words, CLI option, type, limits and default (engine/protocol/setting.ts). The
 * defaults are not one of the paper's recipes but a mix of its two (A.2, Table 11: VGG-Sound trains with Adam
 * at 1e-3, batch 24, StepLR; UCF101 with SGD at 1e-2, batch 64, reduce-on-plateau): Adam at 1e-3 as
 * VGG-Sound, batch 64 and reduce-on-plateau as UCF101; cross-entropy with weight 1 and MSE distillation with
 * weight 50 (A.2, A.4). Epochs and early stopping are ours (README, "What run does"): 30 epochs, keeping the
 * best validation epoch, patience 10 on a smoothed validation accuracy and at least 10 epochs; the paper's 20
 * epochs with patience 5 stopped teachers short on small validation splits. The encoder sizes are ours, small
 * enough for a laptop CPU. A method's own settings join from method-settings.ts.
 */
export const SETTINGS = {
  method: choice(['auto', 'umt', 'ume'], {
    default: 'auto',
    label: 'Method',
    flag: '--method <method>',
    advanced: false,
    help: 'auto: let the decision trick choose between UMT and UME (you can still override it when you see its evidence); umt or ume: go on with that one whatever the trick says.',
  }),
  epochs: {
    type: 'number',
    limit: count(10_000),
    default: 30,
    label: 'Fusion epochs',
    flag: '--epochs <n>',
    advanced: false,
    help: 'Epochs of the fused models (late fusion, and UMT when chosen).',
  } satisfies NumberSetting,
  teacherEpochs: {
    type: 'number',
    limit: count(10_000),
    default: 30,
    label: 'Teacher epochs',
    flag: '--teacher-epochs <n>',
    advanced: false,
    help: 'Epochs of each uni-modal teacher. Early stopping keeps the best epoch on the validation split.',
  } satisfies NumberSetting,
  probeEpochs: {
    type: 'number',
    limit: count(10_000),
    default: 40,
    label: 'Probe epochs',
    flag: '--probe-epochs <n>',
    advanced: true,
    help: 'Epochs of the linear classifiers of the decision and the laziness probes (on cached features: cheap).',
  } satisfies NumberSetting,
  batchSize: {
    type: 'number',
    limit: count(65_536),
    default: 64,
    label: 'Batch size',
    flag: '--batch-size <n>',
    advanced: false,
    help: 'Samples per training step. Larger is faster per epoch but may need a larger learning rate.',
  } satisfies NumberSetting,
  learningRate: {
    type: 'number',
    limit: { min: 0, max: 10, integer: false, minExclusive: true },
    default: 1e-3,
    label: 'Learning rate',
    flag: '--lr <x>',
    advanced: false,
    help: 'Step size of the optimizer. The linear classifiers use 10x this rate (they train on fixed features).',
  } satisfies NumberSetting,
  optimizer: choice(['adam', 'sgd'], {
    default: 'adam',
    label: 'Optimizer',
    flag: '--optimizer <name>',
    advanced: true,
    help: 'Adam by default; SGD uses momentum 0.9.',
  }),
  schedule: choice(['none', 'step', 'plateau'], {
    default: 'plateau',
    label: 'Learning-rate schedule',
    flag: '--schedule <name>',
    advanced: true,
    help: 'plateau: divide the rate by 10 when the validation loss stops improving; step: divide it by 10 halfway through the epochs; none: keep it.',
  }),
  weightDecay: {
    type: 'number',
    limit: { min: 0, max: 1, integer: false },
    default: 0,
    label: 'Weight decay',
    flag: '--weight-decay <wd>',
    advanced: true,
    help: "L2 weight decay of the run's recipe (added to every gradient, as PyTorch's weight_decay); 0 by default.",
  } satisfies NumberSetting,
  recipe: choice(['method', 'shared'], {
    default: 'method',
    label: 'Recipe per method',
    flag: '--recipe <rule>',
    advanced: true,
    help: "method: each method trains as its authors train it (OGM-GE: SGD, momentum 0.9, weight decay 1e-4, rate ÷10 at 70% of the epochs); shared: every method on this run's optimizer, rate, schedule and weight decay, to compare the methods alone.",
  }),
  patience: {
    type: 'number',
    limit: count(10_000),
    default: 10,
    label: 'Early-stopping patience',
    flag: '--patience <n>',
    advanced: true,
    help: "Epochs without a better smoothed validation accuracy (a moving average, so one lucky epoch does not count) before a phase stops; its best epoch's weights are kept.",
  } satisfies NumberSetting,
  minEpochs: {
    type: 'number',
    limit: count(10_000),
    default: 10,
    label: 'Minimum epochs',
    flag: '--min-epochs <n>',
    advanced: true,
    help: 'Early stopping never stops a phase before this many epochs.',
  } satisfies NumberSetting,
  seed: {
    type: 'number',
    limit: { min: 0, max: 2 ** 31 - 1 - 100, integer: true },
    default: 0,
    label: 'Seed',
    flag: '--seed <s>',
    advanced: false,
    help: 'Seed of initialisation and shuffling (the first one, with several seeds). The same seed on the same backend gives the same numbers.',
  } satisfies NumberSetting,
  seeds: {
    type: 'number',
    limit: count(100),
    default: 1,
    label: 'Repeat with N seeds',
    flag: '--seeds <n>',
    advanced: false,
    help: "Trains everything (teachers included) with seeds seed, seed+1, …: accuracies become mean ± sd, and differences smaller than the seeds' spread are reported as noise. N times the time.",
  } satisfies NumberSetting,
  methods: {
    type: 'ids',
    default: [],
    maxLength: 50,
    label: 'Also compare',
    flag: '--methods <ids>',
    advanced: false,
    hidden: true,
    help: "Methods to train besides the paper's flow, comma-separated registry ids (umt, aux-ce); each becomes a candidate for the final model.",
  } satisfies IdsSetting,
  ...METHOD_SETTINGS,
  finalRule: choice(['validation-best', 'recommendation-within-noise'], {
    default: 'validation-best',
    label: 'Final model',
    flag: '--final-rule <rule>',
    advanced: true,
    help: 'validation-best: the model best on the validation split becomes the final model. recommendation-within-noise: keep the recommendation whenever the best leads it by less than the noise.',
  }),
  backend: choice(BACKEND_CHOICES, {
    default: 'auto',
    label: 'Backend',
    flag: '--backend <b>',
    advanced: false,
    help: "auto: times a few training steps of this run's model on each usable backend (the GPU through tfjs-node-gpu or WebGPU, native CPU, WebAssembly) and takes the fastest; a machine without a GPU gets WebAssembly. Or choose one.",
  }),
  mlpHidden: {
    type: 'list',
    limit: { item: count(8192), minLength: 1, maxLength: 8 },
    default: [128, 128],
    label: 'MLP hidden widths',
    flag: '--mlp-hidden <widths>',
    advanced: true,
    help: 'Encoders of vector modalities; comma-separated (128,128); the last width is the feature size.',
  } satisfies ListSetting,
  cnnChannels: {
    type: 'list',
    limit: { item: count(1024), minLength: 1, maxLength: 8 },
    default: [32, 64],
    label: 'CNN channels',
    flag: '--cnn-channels <widths>',
    advanced: true,
    help: 'Conv-BN-ReLU blocks of image and audio encoders; comma-separated (32,64).',
  } satisfies ListSetting,
  cnnFeatureDim: {
    type: 'number',
    limit: count(8192),
    default: 128,
    label: 'CNN feature size',
    flag: '--cnn-feature-dim <n>',
    advanced: true,
    help: 'The dense layer after global average pooling of image and audio encoders.',
  } satisfies NumberSetting,
  bootstrapSamples: {
    type: 'number',
    limit: { min: 100, max: 100_000, integer: true },
    default: 1000,
    label: 'Bootstrap resamples',
    flag: '--bootstrap-samples <n>',
    advanced: true,
    help: 'Resamples for the 95% confidence intervals of the decision and the final choice.',
  } satisfies NumberSetting,
} as const satisfies Record<string, Setting>;

export type SettingId = keyof typeof SETTINGS;

/** A run's settings, one value per row of {@link SETTINGS}. */
export type RunSettings = { -readonly [K in SettingId]: SettingValue<(typeof SETTINGS)[K]> };

/** The rows of the table, in its order. */
export const SETTING_LIST = Object.entries(SETTINGS).map(([id, setting]) => ({
  id: id as SettingId,
  ...(setting as Setting),
}));

/** The choices of a choice setting, by id (types follow the table). */
export type ChoiceOf<K extends SettingId> = (typeof SETTINGS)[K] extends ChoiceSetting<infer C> ? C : never;
