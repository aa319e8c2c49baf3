import { z } from 'zod';
import { DEFAULT_CONFIG, type RunConfig } from '../protocol/run';
import { AppError } from '../protocol/errors';
import { printable } from '../protocol/printable';
import { LIST_LIMITS, NUMBER_LIMITS, type ListLimit, type NumberLimit } from '../protocol/config-limits';

export { DEFAULT_CONFIG };

/** A zod number within a shared limit (engine/protocol/config-limits.ts). */
function limited(limit: NumberLimit) {
  let schema = limit.integer ? z.number().int() : z.number();
  schema = limit.minExclusive ? schema.gt(limit.min) : schema.min(limit.min);
  return schema.max(limit.max);
}

const list = (limit: ListLimit) => z.array(limited(limit.item)).min(limit.minLength).max(limit.maxLength);

const configSchema = z
  .object({
    method: z.enum(['auto', 'umt', 'ume']),
    epochs: limited(NUMBER_LIMITS.epochs),
    teacherEpochs: limited(NUMBER_LIMITS.teacherEpochs),
    probeEpochs: limited(NUMBER_LIMITS.probeEpochs),
    batchSize: limited(NUMBER_LIMITS.batchSize),
    learningRate: limited(NUMBER_LIMITS.learningRate),
    optimizer: z.enum(['adam', 'sgd']),
    schedule: z.enum(['none', 'step', 'plateau']),
    weightDecay: limited(NUMBER_LIMITS.weightDecay),
    recipe: z.enum(['method', 'shared']),
    patience: limited(NUMBER_LIMITS.patience),
    minEpochs: limited(NUMBER_LIMITS.minEpochs),
    distillWeight: z.union([limited(NUMBER_LIMITS.distillWeight), z.literal('auto')]),
    seed: limited(NUMBER_LIMITS.seed),
    seeds: limited(NUMBER_LIMITS.seeds),
    methods: z.array(z.string()).max(50),
    modalityDropoutRate: limited(NUMBER_LIMITS.modalityDropoutRate),
    ogmAlpha: limited(NUMBER_LIMITS.ogmAlpha),
    ogmModulatedShare: limited(NUMBER_LIMITS.ogmModulatedShare),
    gBlendEpochs: limited(NUMBER_LIMITS.gBlendEpochs),
    finalRule: z.enum(['validation-best', 'recommendation-within-noise']),
    backend: z.enum(['auto', 'gpu', 'native', 'wasm', 'cpu', 'webgpu']),
    mlpHidden: list(LIST_LIMITS.mlpHidden),
    cnnChannels: list(LIST_LIMITS.cnnChannels),
    cnnFeatureDim: limited(NUMBER_LIMITS.cnnFeatureDim),
    bootstrapSamples: limited(NUMBER_LIMITS.bootstrapSamples),
  })
  .strict();

/** Fills in defaults and checks every field; a bad value throws an {@link AppError} naming it. */
export function resolveConfig(partial: Partial<RunConfig>): RunConfig {
  // A "__proto__" key (own, as JSON.parse makes it) would be dropped by the spread below, silently.
  const unknown = Object.keys(partial).filter((key) => key === '__proto__' || !Object.hasOwn(DEFAULT_CONFIG, key));
  if (unknown.length > 0) {
    throw new AppError('config', `${unknown.map((key) => `"${printable(key, 60)}"`).join(', ')} ${unknown.length === 1 ? 'is not a setting' : 'are not settings'}; the settings are ${Object.keys(DEFAULT_CONFIG).join(', ')}. Remove or rename ${unknown.length === 1 ? 'it' : 'them'}.`);
  }
  const merged = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'config';
    const given = issue ? JSON.stringify(issue.path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k as string], merged)) ?? 'missing' : '';
    throw new AppError('config', `Setting "${field}" is ${given.length > 80 ? `${given.slice(0, 77)}…` : given}: ${issue?.message ?? 'invalid'}. Fix the option (see --help for the allowed values).`);
  }
  return parsed.data;
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
    throw new AppError('config', `Setting "methods" names ${JSON.stringify(unknown)}, which is not a training method. Known: ${known.join(', ')}; or all (--compare all).`);
  }
}

/** The methods a run was asked for, `all` expanded. */
export function requestedMethods(config: Pick<RunConfig, 'methods'>, known: readonly string[]): string[] {
  return config.methods.includes(ALL_METHODS) ? [...known] : [...config.methods];
}
