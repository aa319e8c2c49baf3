import type { ListLimit, NumberLimit } from './setting';
import { SETTING_LIST, type SettingId } from './settings';

export type { ListLimit, NumberLimit };

/**
 * The allowed range of every numeric setting and of every list of widths, by setting id, from the settings
 * table: one source for the engine (which refuses a config outside it, engine/method/config.ts) and the
 * settings form (which says so as the user types, with the field's label).
 */
export const NUMBER_LIMITS: Partial<Record<SettingId, NumberLimit>> = Object.fromEntries(
  SETTING_LIST.flatMap((s) => (s.type === 'number' ? [[s.id, s.limit]] : [])),
);
export const LIST_LIMITS: Partial<Record<SettingId, ListLimit>> = Object.fromEntries(
  SETTING_LIST.flatMap((s) => (s.type === 'list' ? [[s.id, s.limit]] : [])),
);

const plain = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** The limit in words: "a whole number from 1 to 10,000", "a number above 0 and at most 10". */
export function describeLimit(limit: NumberLimit): string {
  const kind = limit.integer ? 'a whole number' : 'a number';
  return limit.minExclusive
    ? `${kind} above ${plain(limit.min)} and at most ${plain(limit.max)}`
    : `${kind} from ${plain(limit.min)} to ${plain(limit.max)}`;
}

/** {@link describeLimit} when `value` is outside the limit, else null. */
export function outOfLimit(limit: NumberLimit, value: number): string | null {
  const inRange = (limit.minExclusive ? value > limit.min : value >= limit.min) && value <= limit.max;
  return Number.isFinite(value) && inRange && (!limit.integer || Number.isInteger(value)) ? null : describeLimit(limit);
}
