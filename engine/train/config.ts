import { z } from 'zod';
import { DEFAULT_CONFIG, type RunConfig } from '../protocol/run';
import { AppError } from '../protocol/errors';

export { DEFAULT_CONFIG };

const positiveInt = (max: number) => z.number().int().min(1).max(max);

const configSchema = z
  .object({
    method: z.enum(['auto', 'umt', 'ume']),
    epochs: positiveInt(10_000),
    teacherEpochs: positiveInt(10_000),
    probeEpochs: positiveInt(10_000),
    batchSize: positiveInt(65_536),
    learningRate: z.number().positive().max(10),
    optimizer: z.enum(['adam', 'sgd']),
    schedule: z.enum(['none', 'step', 'plateau']),
    patience: positiveInt(10_000),
    minEpochs: positiveInt(10_000),
    distillWeight: z.union([z.number().min(0).max(1e6), z.literal('auto')]),
    seed: z.number().int().min(0).max(2 ** 31 - 1 - 100),
    seeds: positiveInt(100),
    methods: z.array(z.string()).max(50),
    modalityDropoutRate: z.number().min(0).max(1),
    ogmAlpha: z.number().min(0).max(100),
    ogmModulatedShare: z.number().min(0).max(1),
    gBlendEpochs: positiveInt(10_000),
    finalRule: z.enum(['validation-best', 'recommendation-within-noise']),
    backend: z.enum(['auto', 'gpu', 'native', 'wasm', 'cpu', 'webgpu']),
    mlpHidden: z.array(positiveInt(8192)).min(1).max(8),
    cnnChannels: z.array(positiveInt(1024)).min(1).max(8),
    cnnFeatureDim: positiveInt(8192),
    bootstrapSamples: z.number().int().min(100).max(100_000),
  })
  .strict();

/** Fills in defaults and checks every field; a bad value throws an {@link AppError} naming it. */
export function resolveConfig(partial: Partial<RunConfig>): RunConfig {
  const merged = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'config';
    const given = issue ? JSON.stringify(issue.path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k as string], merged)) : '';
    throw new AppError('config', `Setting "${field}" is ${given}: ${issue?.message ?? 'invalid'}. Fix the option (see --help for the allowed values).`);
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
