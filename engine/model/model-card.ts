import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CachedModality } from '../data/cache/meta';
import type { CacheMeta } from '../data/cache/meta';
import type { ChosenMethod, Decision, RunConfig, RunResult } from '../protocol/run';
import { AppError } from '../protocol/errors';

export const MODEL_CARD_FILE = 'model-card.json';

/** `model-card.json`: everything needed to decode new data exactly as in training and to read the networks. */
export interface ModelCard {
  format: 'modality-studio-model';
  version: 1;
  method: ChosenMethod;
  classes: string[];
  /** Decoding rules and train-split normalisation of each modality, as the training cache had them. */
  modalities: Omit<CachedModality, 'file'>[];
  /** UMT: one fused network over all modalities. UME: one teacher per modality, predictions averaged. */
  networks: { path: string; modalities: string[] }[];
  metrics: { test: RunResult['test']; decision: Decision; finalMacroF1: number };
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
  method: z.enum(['umt', 'ume']),
  classes: z.array(z.string()).min(2),
  modalities: z.array(z.object({ name: z.string(), kind: z.enum(['vector', 'image', 'audio']), shape: z.array(z.number().int().positive()) }).passthrough()).min(1),
  networks: z.array(z.object({ path: z.string(), modalities: z.array(z.string()) })).min(1),
}).passthrough();

export function describeLoss(method: ChosenMethod, distillWeight: number): string {
  return method === 'umt'
    ? `cross-entropy + ${distillWeight} × Σ_modalities MSE(student features, teacher features), MSE = mean over batch and feature dimensions`
    : 'none: the average of the uni-modal teachers\' softmax predictions (each teacher trained with cross-entropy)';
}

export function buildCard(meta: CacheMeta, result: RunResult, networks: ModelCard['networks']): ModelCard {
  const final = result.evaluations.find((e) => e.model === 'final');
  return {
    format: 'modality-studio-model',
    version: 1,
    method: result.decision.method,
    classes: meta.classes,
    modalities: meta.modalities.map(({ file: _file, ...rest }) => rest),
    networks,
    metrics: { test: result.test, decision: result.decision, finalMacroF1: final?.macroF1 ?? 0 },
    loss: describeLoss(result.decision.method, result.config.distillWeight),
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
