import type { RunConfig } from './run';

/**
 * The allowed range of every numeric setting, one table for the engine (which refuses a config outside it,
 * engine/train/config.ts) and the settings form (which says so as the user types, with the field's label).
 */
export interface NumberLimit {
  min: number;
  max: number;
  integer: boolean;
  /** `min` itself is not allowed (a learning rate of 0). */
  minExclusive?: boolean;
}

/** Lists of widths: each entry within `item`, between `minLength` and `maxLength` entries. */
export interface ListLimit {
  item: NumberLimit;
  minLength: number;
  maxLength: number;
}

const count = (max: number): NumberLimit => ({ min: 1, max, integer: true });

export const NUMBER_LIMITS = {
  epochs: count(10_000),
  teacherEpochs: count(10_000),
  probeEpochs: count(10_000),
  batchSize: count(65_536),
  learningRate: { min: 0, max: 10, integer: false, minExclusive: true },
  weightDecay: { min: 0, max: 1, integer: false },
  patience: count(10_000),
  minEpochs: count(10_000),
  distillWeight: { min: 0, max: 1e6, integer: false },
  seed: { min: 0, max: 2 ** 31 - 1 - 100, integer: true },
  seeds: count(100),
  modalityDropoutRate: { min: 0, max: 1, integer: false },
  ogmAlpha: { min: 0, max: 100, integer: false },
  ogmModulatedShare: { min: 0, max: 1, integer: false },
  gBlendEpochs: count(10_000),
  cnnFeatureDim: count(8192),
  bootstrapSamples: { min: 100, max: 100_000, integer: true },
} as const satisfies Partial<Record<keyof RunConfig, NumberLimit>>;

export const LIST_LIMITS = {
  mlpHidden: { item: count(8192), minLength: 1, maxLength: 8 },
  cnnChannels: { item: count(1024), minLength: 1, maxLength: 8 },
} as const satisfies Partial<Record<keyof RunConfig, ListLimit>>;

const plain = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** The limit in words: "a whole number from 1 to 10,000", "a number above 0 and at most 10". */
export function describeLimit(limit: NumberLimit): string {
  const kind = limit.integer ? 'a whole number' : 'a number';
  return limit.minExclusive ? `${kind} above ${plain(limit.min)} and at most ${plain(limit.max)}` : `${kind} from ${plain(limit.min)} to ${plain(limit.max)}`;
}

/** {@link describeLimit} when `value` is outside the limit, else null. */
export function outOfLimit(limit: NumberLimit, value: number): string | null {
  const inRange = (limit.minExclusive ? value > limit.min : value >= limit.min) && value <= limit.max;
  return Number.isFinite(value) && inRange && (!limit.integer || Number.isInteger(value)) ? null : describeLimit(limit);
}
