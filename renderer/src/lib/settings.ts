import { describeLimit, LIST_LIMITS, NUMBER_LIMITS, outOfLimit, type ListLimit, type NumberLimit } from '../../../engine/protocol/config-limits';
import type { RunConfig } from '../../../engine/protocol/run';

/** One field of the settings step: its help text says what it does and when to change it. */
export interface SettingField {
  key: keyof RunConfig;
  label: string;
  help: string;
  kind: 'int' | 'number' | 'choice' | 'list';
  /** The word `auto` is accepted besides a number (the engine then chooses the value on validation). */
  allowsAuto?: boolean;
  choices?: string[];
  advanced: boolean;
}

export const SETTING_FIELDS: SettingField[] = [
  { key: 'method', label: 'Method', kind: 'choice', choices: ['auto', 'umt', 'ume'], advanced: false, help: 'auto: let the decision trick choose between UMT and UME (you can still override it when you see its evidence).' },
  { key: 'teacherEpochs', label: 'Teacher epochs', kind: 'int', advanced: false, help: 'Epochs of each uni-modal teacher. Early stopping keeps the best epoch on the validation split.' },
  { key: 'epochs', label: 'Fusion epochs', kind: 'int', advanced: false, help: 'Epochs of the fused models (late fusion, and UMT when chosen).' },
  { key: 'batchSize', label: 'Batch size', kind: 'int', advanced: false, help: 'Samples per training step. Larger is faster per epoch but may need a larger learning rate.' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', advanced: false, help: 'Step size of the optimizer. The linear classifiers use 10x this rate (they train on fixed features).' },
  { key: 'seed', label: 'Seed', kind: 'int', advanced: false, help: 'The same seed on the same backend gives the same numbers.' },
  { key: 'seeds', label: 'Repeat with N seeds', kind: 'int', advanced: false, help: 'Trains everything (teachers included) with seeds seed, seed+1, …: accuracies become mean ± sd, and differences smaller than the seeds\' spread are reported as noise. N times the time.' },
  { key: 'backend', label: 'Backend', kind: 'choice', choices: ['auto', 'gpu', 'native', 'wasm', 'cpu', 'webgpu'], advanced: false, help: 'auto: times a few training steps of this run\'s model on each usable backend (the GPU through tfjs-node-gpu or WebGPU, native CPU, WebAssembly) and takes the fastest; a machine without a GPU gets WebAssembly. Or choose one.' },
  { key: 'distillWeight', label: 'Distillation weight', kind: 'number', allowsAuto: true, advanced: true, help: "UMT's weight of the feature-distillation loss (MSE to each teacher's features). The paper uses 50 (appendix A.2). auto: train UMT at 1, 5, 20 and 50 and keep the best on validation (four UMT trainings)." },
  { key: 'modalityDropoutRate', label: 'Modality dropout rate', kind: 'number', advanced: true, help: 'Modality dropout (when compared): the share of training steps that drop one modality\'s features, chosen uniformly. The paper\'s table uses 0.5.' },
  { key: 'ogmAlpha', label: 'OGM-GE α', kind: 'number', advanced: true, help: 'OGM-GE (when compared): how hard the dominant modality is slowed, coefficient 1 − tanh(α·ρ). The authors use 0.1 by default and 0.8 on CREMA-D.' },
  { key: 'ogmModulatedShare', label: 'OGM-GE modulated share', kind: 'number', advanced: true, help: 'OGM-GE (when compared): the share of the epochs, from the start, in which gradients are modulated. The authors modulate epochs 0–50 of 100.' },
  { key: 'gBlendEpochs', label: 'G-Blending estimation epochs', kind: 'int', advanced: true, help: 'G-Blending (when compared): epochs of each estimation training (one per modality and one fused, on 80% of the training split) that measure how each head overfits and generalizes.' },
  { key: 'finalRule', label: 'Final model', kind: 'choice', choices: ['validation-best', 'recommendation-within-noise'], advanced: true, help: 'validation-best: the model best on the validation split becomes the final model. recommendation-within-noise: keep the recommendation whenever the best leads it by less than the noise.' },
  { key: 'probeEpochs', label: 'Probe epochs', kind: 'int', advanced: true, help: 'Epochs of the linear classifiers of the decision and the laziness probes (on cached features: cheap).' },
  { key: 'patience', label: 'Early-stopping patience', kind: 'int', advanced: true, help: 'Epochs without a better smoothed validation accuracy (a moving average, so one lucky epoch does not count) before a phase stops; its best epoch\'s weights are kept.' },
  { key: 'minEpochs', label: 'Minimum epochs', kind: 'int', advanced: true, help: 'Early stopping never stops a phase before this many epochs.' },
  { key: 'optimizer', label: 'Optimizer', kind: 'choice', choices: ['adam', 'sgd'], advanced: true, help: 'Adam by default; SGD uses momentum 0.9.' },
  { key: 'schedule', label: 'Learning-rate schedule', kind: 'choice', choices: ['plateau', 'step', 'none'], advanced: true, help: 'plateau: divide the rate by 10 when the validation loss stops improving; step: divide it by 10 halfway through the epochs.' },
  { key: 'weightDecay', label: 'Weight decay', kind: 'number', advanced: true, help: 'L2 weight decay of the run\'s recipe (added to every gradient, as PyTorch\'s weight_decay); 0 by default.' },
  { key: 'recipe', label: 'Recipe per method', kind: 'choice', choices: ['method', 'shared'], advanced: true, help: 'method: each method trains as its authors train it (OGM-GE: SGD, momentum 0.9, weight decay 1e-4, rate ÷10 at 70% of the epochs); shared: every method on this run\'s optimizer, rate, schedule and weight decay, to compare the methods alone.' },
  { key: 'mlpHidden', label: 'MLP hidden widths', kind: 'list', advanced: true, help: 'Encoders of vector modalities; comma-separated; the last width is the feature size.' },
  { key: 'cnnChannels', label: 'CNN channels', kind: 'list', advanced: true, help: 'Conv-BN-ReLU blocks of image and audio encoders; comma-separated.' },
  { key: 'cnnFeatureDim', label: 'CNN feature size', kind: 'int', advanced: true, help: 'The dense layer after global average pooling of image and audio encoders.' },
  { key: 'bootstrapSamples', label: 'Bootstrap resamples', kind: 'int', advanced: true, help: "Resamples for the decision's 95% confidence interval." },
];

/** The form's text for a config value. */
export function fieldText(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

/**
 * Parses the form back and checks it against the engine's own limits (engine/protocol/config-limits.ts), so a
 * bad value is marked as it is typed, in the field's words, instead of refused by the engine after "Train".
 */
export function parseField(field: SettingField, text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (field.kind === 'choice') return field.choices?.includes(trimmed) ? { value: trimmed } : { error: `${field.label}: choose one of ${field.choices?.join(', ')}.` };
  if (field.kind === 'list') {
    const limit = (LIST_LIMITS as Partial<Record<string, ListLimit>>)[field.key];
    const parts = trimmed.split(/[,\s]+/).filter(Boolean).map(Number);
    const bad = limit ? parts.find((n) => outOfLimit(limit.item, n) !== null) : parts.find((n) => !Number.isInteger(n) || n <= 0);
    if (parts.length === 0 || bad !== undefined) return { error: `${field.label}: expected whole numbers separated by commas, such as 128, 128${limit ? `, each ${describeLimit(limit.item)}` : ''}${bad !== undefined && !Number.isNaN(bad) ? `; ${bad} is not` : ''}.` };
    if (limit && (parts.length < limit.minLength || parts.length > limit.maxLength)) return { error: `${field.label}: expected ${limit.minLength} to ${limit.maxLength} widths; ${parts.length} given.` };
    return { value: parts };
  }
  if (field.allowsAuto && trimmed === 'auto') return { value: 'auto' };
  const limit = (NUMBER_LIMITS as Partial<Record<string, NumberLimit>>)[field.key];
  const number = Number(trimmed);
  const expected = limit ? describeLimit(limit) : field.kind === 'int' ? 'a whole number' : 'a number';
  if (trimmed === '' || !Number.isFinite(number)) return { error: `${field.label} must be ${expected}${field.allowsAuto ? ' or auto' : ''}${trimmed === '' ? '.' : `; "${trimmed}" is not a number.`}` };
  const problem = limit ? outOfLimit(limit, number) : field.kind === 'int' && !Number.isInteger(number) ? 'a whole number' : null;
  return problem ? { error: `${field.label} must be ${problem}${field.allowsAuto ? ' or auto' : ''}; ${trimmed} is not.` } : { value: number };
}
