import {
  describeLimit,
  LIST_LIMITS,
  NUMBER_LIMITS,
  outOfLimit,
  type ListLimit,
  type NumberLimit,
} from '../../../engine/protocol/config-limits';
import type { RunConfig } from '../../../engine/protocol/run';
import { SETTING_LIST } from '../../../engine/protocol/settings';

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

/**
 * The settings step's fields, from the engine's settings table (engine/protocol/settings.ts): the basic ones
 * first, then the advanced ones, each group in the table's order. The methods to compare have their own chooser.
 */
export const SETTING_FIELDS: SettingField[] = [false, true].flatMap((advanced) =>
  SETTING_LIST.filter((s) => s.advanced === advanced && !s.hidden && s.type !== 'ids').map((s): SettingField => ({
    key: s.id,
    label: s.label,
    help: s.help,
    kind:
      s.type === 'choice'
        ? 'choice'
        : s.type === 'list'
          ? 'list'
          : s.type === 'number' && s.limit.integer
            ? 'int'
            : 'number',
    ...(s.type === 'number' && s.allowsAuto ? { allowsAuto: true } : {}),
    ...(s.type === 'choice' ? { choices: [...s.choices] } : {}),
    advanced,
  })),
);

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
  if (field.kind === 'choice')
    return field.choices?.includes(trimmed)
      ? { value: trimmed }
      : { error: `${field.label}: choose one of ${field.choices?.join(', ')}.` };
  if (field.kind === 'list') {
    const limit: ListLimit | undefined = LIST_LIMITS[field.key];
    const parts = trimmed
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(Number);
    const bad = limit
      ? parts.find((n) => outOfLimit(limit.item, n) !== null)
      : parts.find((n) => !Number.isInteger(n) || n <= 0);
    if (parts.length === 0 || bad !== undefined)
      return {
        error: `${field.label}: expected whole numbers separated by commas, such as 128, 128${limit ? `, each ${describeLimit(limit.item)}` : ''}${bad !== undefined && !Number.isNaN(bad) ? `; ${bad} is not` : ''}.`,
      };
    if (limit && (parts.length < limit.minLength || parts.length > limit.maxLength))
      return {
        error: `${field.label}: expected ${limit.minLength} to ${limit.maxLength} widths; ${parts.length} given.`,
      };
    return { value: parts };
  }
  if (field.allowsAuto && trimmed === 'auto') return { value: 'auto' };
  const limit: NumberLimit | undefined = NUMBER_LIMITS[field.key];
  const number = Number(trimmed);
  const expected = limit ? describeLimit(limit) : field.kind === 'int' ? 'a whole number' : 'a number';
  if (trimmed === '' || !Number.isFinite(number))
    return {
      error: `${field.label} must be ${expected}${field.allowsAuto ? ' or auto' : ''}${trimmed === '' ? '.' : `; "${trimmed}" is not a number.`}`,
    };
  const problem = limit
    ? outOfLimit(limit, number)
    : field.kind === 'int' && !Number.isInteger(number)
      ? 'a whole number'
      : null;
  return problem
    ? { error: `${field.label} must be ${problem}${field.allowsAuto ? ' or auto' : ''}; ${trimmed} is not.` }
    : { value: number };
}
