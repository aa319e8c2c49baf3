import path from 'node:path';
import { z } from 'zod';
import type { CachedModality } from '../data/cache/meta';
import type { CacheMeta } from '../data/cache/meta';
import type { CandidateResult, Decision, FinalChoice, MethodId, RunConfig, RunResult } from '../protocol/run';
import { AppError } from '../protocol/errors';
import { pathInsideModel, readJsonFile } from './model-folder';

export const MODEL_CARD_FILE = 'model-card.json';

/** `model-card.json`: everything needed to decode new data exactly as in training and to read the networks. */
export interface ModelCard {
  format: 'modality-studio-model';
  version: 1;
  /** The method id of the model this card describes (any candidate of the run, not only the final one). */
  method: MethodId;
  /** Whether this is the run's final model (chosen on validation). */
  final: boolean;
  /** The seed whose networks these are (a run with several seeds saves its first seed's). */
  seed: number;
  classes: string[];
  /** Decoding rules and train-split normalisation of each modality, as the training cache had them. */
  modalities: Omit<CachedModality, 'file'>[];
  /** The networks; prediction is the mean of their softmax outputs (UME: one teacher per modality; others: one network). */
  networks: { path: string; modalities: string[] }[];
  /** `candidate`: this model's accuracies over the run's seeds; `test`: every model's mean test accuracy. */
  metrics: {
    candidate: CandidateResult;
    test: RunResult['test'];
    decision: Decision;
    finalChoice: FinalChoice;
    macroF1: number;
  };
  /** Paper A.4/A.2: UMT's distillation term; recorded so the card says exactly what was optimised. */
  loss: string;
  dataset: { name: string; fingerprint: string; splitRule: string };
  config: RunConfig;
  backend: RunResult['backend'];
  createdAt: string;
}

const normalizationSchema = z
  .object({ mean: z.array(z.number().finite()), std: z.array(z.number().finite().positive()) })
  .nullable();

const cardSchema = z
  .object({
    format: z.literal('modality-studio-model'),
    version: z.literal(1),
    method: z.string().min(1),
    classes: z.array(z.string().min(1)).min(2),
    modalities: z
      .array(
        z
          .object({
            name: z.string().trim().min(1),
            kind: z.enum(['vector', 'image', 'audio']),
            shape: z.array(z.number().int().positive()).min(1),
            normalization: normalizationSchema,
          })
          .passthrough(),
      )
      .min(1),
    networks: z.array(z.object({ path: z.string().min(1), modalities: z.array(z.string()).min(1) })).min(1),
  })
  .passthrough();

/** The card of one candidate of a run; `loss` says what it optimised, in words (the method's own). */
export function buildCard(
  meta: CacheMeta,
  result: RunResult,
  candidate: { method: MethodId; loss: string; seed: number },
  networks: ModelCard['networks'],
): ModelCard {
  const own = result.evaluations.find(
    (e) => e.model === candidate.method && e.split === 'test' && e.seed === candidate.seed,
  );
  const stats = result.candidates[candidate.method];
  if (!stats) throw new Error(`The run has no results for ${candidate.method}.`);
  return {
    format: 'modality-studio-model',
    version: 1,
    method: candidate.method,
    final: candidate.method === result.final.method,
    seed: candidate.seed,
    classes: meta.classes,
    modalities: meta.modalities.map(({ file: _file, ...rest }) => rest),
    networks,
    metrics: {
      candidate: stats,
      test: result.test,
      decision: result.decision,
      finalChoice: result.final,
      macroF1: own?.macroF1 ?? 0,
    },
    loss: candidate.loss,
    dataset: { name: meta.name, fingerprint: meta.fingerprint, splitRule: meta.splitRule },
    config: result.config,
    backend: result.backend,
    createdAt: new Date().toISOString(),
  };
}

/**
 * The model card of `dir`, checked against itself: a card is only text (it may have been edited), and a wrong
 * one would otherwise predict wrong labels without a word. The networks it names are checked against it when
 * they are loaded (engine/model/load-model.ts).
 */
export function readCard(dir: string): ModelCard {
  const file = path.join(dir, MODEL_CARD_FILE);
  const json = readJsonFile(file);
  const parsed = cardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'model-files',
      `${file} is not a Modality Studio model card: ${issue?.path.join('.') || 'the file'} ${issue?.message ?? 'is invalid'}. Use the model folder modality-studio run wrote, or export the model again.`,
    );
  }
  const card = parsed.data as unknown as ModelCard;
  const problem = cardProblem(card);
  if (problem)
    throw new AppError(
      'model-files',
      `${file} is not a consistent model card: ${problem}. Use the model folder modality-studio run wrote, or export the model again.`,
    );
  card.networks.forEach((n, i) => pathInsideModel(dir, n.path, `networks.${i}.path in ${file}`));
  return card;
}

/** What in a card contradicts the rest of it, or null. */
function cardProblem(card: ModelCard): string | null {
  const duplicateClass = card.classes.find((c, i) => card.classes.indexOf(c) !== i);
  if (duplicateClass !== undefined) return `class ${JSON.stringify(duplicateClass)} is named twice in classes`;
  const names = card.modalities.map((m) => m.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) return `modality ${JSON.stringify(duplicate)} is described twice`;
  for (const modality of card.modalities) {
    // Vectors are standardised per feature, audio with one scalar, images not at all (cache/writer.ts).
    const width = modality.kind === 'vector' ? modality.shape[0] : modality.kind === 'audio' ? 1 : 0;
    const normalization = modality.normalization;
    if (width === 0 && normalization)
      return `modality "${modality.name}" is an image, which is not standardised, but has a normalization`;
    if (width !== 0 && (!normalization || normalization.mean.length !== width || normalization.std.length !== width)) {
      return `modality "${modality.name}" (${modality.kind} of shape [${modality.shape.join(', ')}]) needs a normalization of ${width} mean${width === 1 ? '' : 's'} and standard deviation${width === 1 ? '' : 's'}; it has ${normalization ? `${normalization.mean.length} and ${normalization.std.length}` : 'none'}`;
    }
  }
  for (const [i, network] of card.networks.entries()) {
    const unknown = network.modalities.find((m) => !names.includes(m));
    if (unknown !== undefined)
      return `networks.${i} reads modality ${JSON.stringify(unknown)}, which the card does not describe (it describes ${names.map((n) => `"${n}"`).join(', ')})`;
  }
  return null;
}
