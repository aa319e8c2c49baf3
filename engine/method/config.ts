import { z } from 'zod';
import { DEFAULT_CONFIG, type RunConfig } from '../protocol/run';
import { AppError } from '../protocol/errors';
import { printable } from '../protocol/printable';
import type { NumberLimit, Setting } from '../protocol/setting';
import { SETTING_LIST } from '../protocol/settings';

export { DEFAULT_CONFIG };

/** A zod number within a setting's limit. */
function limited(limit: NumberLimit) {
  let schema = limit.integer ? z.number().int() : z.number();
  schema = limit.minExclusive ? schema.gt(limit.min) : schema.min(limit.min);
  return schema.max(limit.max);
}

/** The zod schema of one row of the settings table. */
function settingSchema(setting: Setting): z.ZodTypeAny {
  switch (setting.type) {
    case 'number':
      return setting.allowsAuto ? z.union([limited(setting.limit), z.literal('auto')]) : limited(setting.limit);
    case 'choice':
      return z.enum(setting.choices as [string, ...string[]]);
    case 'list':
      return z.array(limited(setting.limit.item)).min(setting.limit.minLength).max(setting.limit.maxLength);
    case 'ids':
      return z.array(z.string()).max(setting.maxLength);
  }
}

/** Every setting of the table, checked once here at the engine's edge. */
const configSchema = z
  .object(Object.fromEntries(SETTING_LIST.map((setting) => [setting.id, settingSchema(setting)])))
  .strict();

/** Fills in defaults and checks every field; a bad value throws an {@link AppError} naming it. */
export function resolveConfig(partial: Partial<RunConfig>): RunConfig {
  // A "__proto__" key (own, as JSON.parse makes it) would be dropped by the spread below, silently.
  const unknown = Object.keys(partial).filter((key) => key === '__proto__' || !Object.hasOwn(DEFAULT_CONFIG, key));
  if (unknown.length > 0) {
    throw new AppError(
      'config',
      `${unknown.map((key) => `"${printable(key, 60)}"`).join(', ')} ${unknown.length === 1 ? 'is not a setting' : 'are not settings'}; the settings are ${Object.keys(DEFAULT_CONFIG).join(', ')}. Remove or rename ${unknown.length === 1 ? 'it' : 'them'}.`,
    );
  }
  const merged = {
    ...DEFAULT_CONFIG,
    ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)),
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'config';
    const given = issue
      ? (JSON.stringify(issue.path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k as string], merged)) ??
        'missing')
      : '';
    throw new AppError(
      'config',
      `Setting "${field}" is ${given.length > 80 ? `${given.slice(0, 77)}…` : given}: ${issue?.message ?? 'invalid'}. Fix the option (see --help for the allowed values).`,
    );
  }
  return parsed.data as RunConfig;
}

/** `all` in `methods`: every registered method (`--compare all`). */
export const ALL_METHODS = 'all';

/**
 * Checks `config.methods` against the registry's ids. Apart from {@link resolveConfig} because the registry
 * loads TensorFlow.js: the engine checks at `run:start`, before any data is read.
 */
export function checkMethods(config: Pick<RunConfig, 'methods'>, known: readonly string[]): void {
  const unknown = config.methods.find((id) => id !== ALL_METHODS && !known.includes(id));
  if (unknown !== undefined) {
    throw new AppError(
      'config',
      `Setting "methods" names ${JSON.stringify(unknown)}, which is not a training method. Known: ${known.join(', ')}; or all (--compare all).`,
    );
  }
}

/** The methods a run was asked for, `all` expanded. */
export function requestedMethods(config: Pick<RunConfig, 'methods'>, known: readonly string[]): string[] {
  return config.methods.includes(ALL_METHODS) ? [...known] : [...config.methods];
}
