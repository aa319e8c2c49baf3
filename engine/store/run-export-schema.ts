import { z } from 'zod';
import { AppError } from '../protocol/errors';
import { SAFE_RUN_ID } from '../protocol/run-id';

/**
 * What `runs import` accepts, checked whole before anything touches the disk or the database: an export is
 * only text, possibly edited or made up, and every field of it ends up in a table, a folder name or a page.
 * The limits are generous for real runs (a run has a few dozen phases of at most a few thousand epochs) and
 * keep a crafted file from making the import (or every later `runs show`) slow.
 */

/** Nesting deeper than this is refused before the schema walks it (a real export nests 7 deep). */
export const MAX_EXPORT_DEPTH = 32;

const text = (max = 10_000) => z.string().max(max);
const timestamp = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date and time (ISO 8601, as runs export writes)');
const finite = z.number().finite();
const share = finite.min(0).max(1);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const methodId = text(200).min(1);
const name = text(1_000);
const seedStat = z.object({ mean: share, sd: finite.min(0), perSeed: z.array(share).max(1_000) });

const epoch = z.object({
  epoch: count,
  trainLoss: finite,
  trainExtraLoss: finite.nullish(),
  trainAccuracy: share,
  valLoss: finite,
  valAccuracy: share,
  learningRate: finite,
  durationMs: finite.min(0),
});

const phaseStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']);
const phase = z.object({
  name: methodId,
  seed: seed.optional(),
  modality: name.nullish(),
  model: name.nullish(),
  status: phaseStatus,
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  durationMs: finite.min(0).nullable(),
  bestEpoch: count.nullable(),
  stoppedEarly: z.boolean().nullable().optional(),
  epochs: z.array(epoch).max(100_000),
});

/** 1,000 classes at most, as a dataset may have (engine/data/checks.ts): a confusion matrix of 10⁶ counts. */
const evaluation = z.object({
  model: methodId,
  seed: seed.optional(),
  split: z.enum(['val', 'test']),
  accuracy: share,
  macroF1: share,
  perClassAccuracy: z.array(share).max(1_000),
  confusion: z.array(z.array(count).max(1_000)).max(1_000),
});

const decision = z.object({
  method: z.enum(['umt', 'ume']),
  overridden: z.boolean(),
  linearProbeAccuracy: share,
  averagedPredictionAccuracy: share,
  sliceAccuracy: z.record(name, share),
  differenceInterval: z.tuple([finite, finite]),
  split: z.literal('val'),
  selection: z
    .object({ split: z.literal('train-holdout'), share: share, epochs: z.array(count).max(1_000) })
    .optional(),
});

const candidate = z.object({
  method: methodId,
  label: text(200),
  val: seedStat.nullable(),
  test: seedStat.nullable(),
  distillWeight: finite.optional(),
  weightSearch: z
    .array(z.object({ weight: finite, val: seedStat }))
    .max(100)
    .optional(),
  estimated: z
    .array(
      z.object({
        seed,
        values: z.array(z.object({ label: text(200), value: finite })).max(1_000),
        heads: z
          .array(
            z.object({
              head: name,
              trainLoss0: finite,
              heldOutLoss0: finite,
              trainLossN: finite,
              heldOutLossN: finite,
              weight: share,
            }),
          )
          .max(1_000)
          .optional(),
        modulation: z
          .array(z.object({ modality: name, meanCoefficient: share, steps: count }))
          .max(1_000)
          .optional(),
      }),
    )
    .max(1_000)
    .optional(),
  trainingMs: finite.min(0).nullable(),
  modelPath: text(4_096).nullable(),
  recipe: z
    .object({
      optimizer: z.enum(['adam', 'sgd']),
      learningRate: finite.positive(),
      momentum: finite.min(0),
      weightDecay: finite.min(0),
      schedule: z.enum(['none', 'step', 'plateau']),
      stepShare: share.optional(),
    })
    .optional(),
});

const finalChoice = z.object({
  method: methodId,
  recommended: z.enum(['umt', 'ume']),
  overridden: z.boolean(),
  best: methodId.nullable(),
  interval: z.tuple([finite, finite]).nullable(),
  reason: text(),
});

const dataset = z.object({
  fingerprint: text(200).min(1),
  path: text(4_096),
  name,
  format: text(100),
  modalities: z
    .array(z.object({ name, kind: text(100), shape: z.array(count).max(8) }).passthrough())
    .min(1)
    .max(1_000),
  classes: z.array(name).min(1).max(1_000),
  splitRule: text(1_000),
  splits: z.object({ train: count, val: count, test: count }),
});

const backend = z.object({ name: text(100), tfBackend: text(100), version: text(100), threads: count }).passthrough();
const artifact = z.object({
  kind: z.enum(['model', 'checkpoint']),
  path: text(4_096),
  phase: text(200),
  epoch: count.nullable(),
  createdAt: timestamp,
});

/** The fields both versions share; a config is checked by the run settings' own rules (resolveConfig) afterwards. */
const common = {
  id: z.string().regex(SAFE_RUN_ID, 'is not a run id (letters, digits, "-" and "_", at most 64, as run ids are)'),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']),
  methodRequested: text(20),
  method: methodId.nullable(),
  config: z.record(text(100), z.unknown()),
  seed,
  backend: backend.nullable(),
  final: share.nullable(),
  error: text().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  durationMs: finite.min(0).nullable(),
  waitingMs: finite.min(0).optional(),
  note: text(),
  tags: z.array(text(64).trim().min(1)).max(32),
  dataset,
  decision: decision.nullable(),
  phases: z.array(phase).max(10_000),
  evaluations: z.array(evaluation).max(10_000),
  artifacts: z.array(artifact).max(100),
  leftOut: z
    .array(z.object({ sampleId: text(1_024), reason: text() }))
    .max(1_000_000)
    .optional(),
};

export const RUN_V2_SCHEMA = z.object({
  ...common,
  phases: z.array(phase.extend({ seed })).max(10_000),
  evaluations: z.array(evaluation.extend({ seed })).max(10_000),
  seeds: z.array(seed).min(1).max(1_000),
  candidates: z.array(candidate).max(1_000),
  finalChoice: finalChoice.nullable(),
  results: z
    .array(
      z.object({
        seed,
        model: methodId,
        split: z.enum(['val', 'test']),
        metric: z.enum(['accuracy', 'macro-f1']),
        value: share,
      }),
    )
    .max(100_000),
  laziness: z.array(z.object({ seed, modality: name, model: methodId, accuracy: share })).max(100_000),
  lazinessVerdicts: z.array(z.object({ modality: name, model: methodId }).passthrough()).max(10_000),
  notices: z.array(text()).max(1_000),
});

/** Version 1 (before seeds and candidates): laziness as one row per modality. */
export const RUN_V1_SCHEMA = z.object({
  ...common,
  laziness: z.record(name, z.object({ teacher: share, lateFusion: share, umt: share.optional() })),
});

export const EXPORT_SCHEMA = z.discriminatedUnion('version', [
  z.object({
    format: z.literal('modality-studio-run'),
    version: z.literal(2),
    exportedAt: timestamp.optional(),
    run: RUN_V2_SCHEMA,
  }),
  z.object({
    format: z.literal('modality-studio-run'),
    version: z.literal(1),
    exportedAt: timestamp.optional(),
    run: RUN_V1_SCHEMA,
  }),
]);

export type CheckedExport = z.infer<typeof EXPORT_SCHEMA>;

/**
 * The export checked against {@link EXPORT_SCHEMA}, or an error naming the first field that is wrong, what
 * it holds and what was expected. Depth is checked first, without recursion: a config nested 200,000 deep
 * would overflow the stack of any recursive walk (the schema's, JSON.stringify's).
 */
export function checkExport(data: unknown): CheckedExport {
  const depth = nestingDepth(data, MAX_EXPORT_DEPTH);
  if (depth > MAX_EXPORT_DEPTH)
    throw new AppError(
      'config',
      `The file is not a run exported by Modality Studio: it nests more than ${MAX_EXPORT_DEPTH} levels deep (an export nests 7). Import the file runs export wrote.`,
    );
  const head = data as { format?: unknown; version?: unknown } | null;
  if (
    typeof head !== 'object' ||
    head === null ||
    head.format !== 'modality-studio-run' ||
    (head.version !== 1 && head.version !== 2)
  ) {
    throw new AppError(
      'config',
      'The file is not a run exported by Modality Studio (expected {"format": "modality-studio-run", "version": 2, "run": {…}}, as runs export writes; version 1 is read too).',
    );
  }
  const parsed = EXPORT_SCHEMA.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the file';
  const found = issue
    ? describeValue(
        issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], data),
      )
    : '';
  throw new AppError(
    'config',
    `The export cannot be imported: ${where} ${issue?.message ?? 'is invalid'}${found ? ` (it holds ${found})` : ''}. Nothing was imported; export the run again with runs export, or fix that field.`,
  );
}

/** How deep `value` nests, counting up to `limit + 1` at most, with an explicit stack. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    deepest = Math.max(deepest, level);
    if (level > limit) return level;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/** A value in a message: short, on one line. */
function describeValue(value: unknown): string {
  if (value === undefined) return '';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}
