import { count, type NumberOrAutoSetting, type NumberSetting } from './setting';

/**
 * The training methods' own settings, each owned by its method (registry id): the method file reads them from
 * the run's config, the settings table (settings.ts) offers them to every host. Defaults from the papers.
 */
export const METHOD_SETTINGS = {
  distillWeight: {
    type: 'number',
    owner: 'umt',
    limit: { min: 0, max: 1e6, integer: false },
    default: 50,
    allowsAuto: true,
    label: 'Distillation weight',
    flag: '--distill-weight <w>',
    advanced: true,
    help: "UMT's weight of the feature-distillation loss (MSE to each teacher's features). The paper uses 50 (appendix A.2). auto: train UMT at 1, 5, 20 and 50 and keep the best on validation (four UMT trainings).",
  } satisfies NumberOrAutoSetting,
  modalityDropoutRate: {
    type: 'number',
    owner: 'modality-dropout',
    limit: { min: 0, max: 1, integer: false },
    default: 0.5,
    label: 'Modality dropout rate',
    flag: '--modality-dropout-rate <p>',
    advanced: true,
    help: "Modality dropout (when compared): the share of training steps that drop one modality's features, chosen uniformly. The paper's table (A.5, Table 14) uses 0.5.",
  } satisfies NumberSetting,
  ogmAlpha: {
    type: 'number',
    owner: 'ogm-ge',
    limit: { min: 0, max: 100, integer: false },
    default: 0.1,
    label: 'OGM-GE α',
    flag: '--ogm-alpha <a>',
    advanced: true,
    help: 'OGM-GE (when compared): how hard the dominant modality is slowed, coefficient 1 − tanh(α·ρ) (Peng et al. 2022, Eq. 10). The authors use 0.1 by default and 0.8 on CREMA-D.',
  } satisfies NumberSetting,
  ogmModulatedShare: {
    type: 'number',
    owner: 'ogm-ge',
    limit: { min: 0, max: 1, integer: false },
    default: 0.5,
    label: 'OGM-GE modulated share',
    flag: '--ogm-modulated-share <s>',
    advanced: true,
    help: 'OGM-GE (when compared): the share of the epochs, from the start, in which gradients are modulated. The authors modulate epochs 0–50 of 100.',
  } satisfies NumberSetting,
  gBlendEpochs: {
    type: 'number',
    owner: 'g-blending',
    limit: count(10_000),
    default: 10,
    label: 'G-Blending estimation epochs',
    flag: '--g-blend-epochs <n>',
    advanced: true,
    help: 'G-Blending (when compared): epochs of each estimation training (one per modality and one fused, on 80% of the training split) that measure how each head overfits and generalizes. Ours: the paper estimates over its full schedule; 10 keeps the cost near two late-fusion trainings.',
  } satisfies NumberSetting,
} as const;
