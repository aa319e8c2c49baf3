import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CachedModality } from '../data/cache/meta';
import type { CacheMeta } from '../data/cache/meta';
import type { CandidateResult, Decision, FinalChoice, MethodId, RunConfig, RunResult } from '../protocol/run';
import { AppError } from '../protocol/errors';

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
  metrics: { candidate: CandidateResult; test: RunResult['test']; decision: Decision; finalChoice: FinalChoice; macroF1: number };
  /** Paper A.4/A.2: UMT's distillation term; recorded so the card says exactly what was optimised. */
  loss: string;
  dataset: { name: string; fingerprint: string; splitRule: string };
  config: RunConfig;
  backend: RunResult['backend'];
  createdAt: string;
}

const cardSchema = z.object({
  format: z.literal('modality-studio-model'),
  version: z.literal(1),
  method: z.string().min(1),
  classes: z.array(z.string()).min(2),
  modalities: z.array(z.object({ name: z.string(), kind: z.enum(['vector', 'image', 'audio']), shape: z.array(z.number().int().positive()) }).passthrough()).min(1),
  networks: z.array(z.object({ path: z.string(), modalities: z.array(z.string()) })).min(1),
}).passthrough();

/** The card of one candidate of a run; `loss` says what it optimised, in words (the method's own). */
export function buildCard(meta: CacheMeta, result: RunResult, candidate: { method: MethodId; loss: string; seed: number }, networks: ModelCard['networks']): ModelCard {
  const own = result.evaluations.find((e) => e.model === candidate.method && e.split === 'test' && e.seed === candidate.seed);
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
    metrics: { candidate: stats, test: result.test, decision: result.decision, finalChoice: result.final, macroF1: own?.macroF1 ?? 0 },
    loss: candidate.loss,
    dataset: { name: meta.name, fingerprint: meta.fingerprint, splitRule: meta.splitRule },
    config: result.config,
    backend: result.backend,
    createdAt: new Date().toISOString(),
  };
}

export function readCard(dir: string): ModelCard {
  const file = path.join(dir, MODEL_CARD_FILE);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('model-files', `${file} could not be read (${(error as Error).message}); give the model folder that modality-studio run wrote (it holds model-card.json).`);
  }
  const parsed = cardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('model-files', `${file} is not a Modality Studio model card: ${issue?.path.join('.') || 'the file'} ${issue?.message ?? 'is invalid'}.`);
  }
  return parsed.data as unknown as ModelCard;
}
