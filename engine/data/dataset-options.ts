import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_OPTIONS_BYTES, readFolderFile } from './dataset-file';
import { DatasetError } from './issues';
import { modalityNameProblem } from './manifest/cells';

const modalityOptions = z
  .object({
    /** Images: target size; the most common size in the data otherwise. */
    height: z.number().int().positive().max(4096).optional(),
    width: z.number().int().positive().max(4096).optional(),
    /** Images: 1 (grey) or 3 (colour); colour if any image is, grey otherwise. */
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    /** Audio: resampling rate, 16 kHz by default (paper A.1). */
    sampleRate: z.number().int().min(1000).max(192_000).optional(),
    /** Audio: clip length; the median clip length, at most 10 s, otherwise. */
    clipSeconds: z.number().positive().max(60).optional(),
    /** Audio: mel bands, 64 by default. */
    melBands: z.number().int().min(8).max(256).optional(),
  })
  .strict();

/** `dataset.json`: an optional file in the dataset folder naming the dataset and tuning decoding. */
export const datasetOptionsSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    description: z.string().optional(),
    /** Seed of the stratified split when the manifest gives none. */
    splitSeed: z.number().int().min(0).optional(),
    modalities: z.record(z.string(), modalityOptions).optional(),
  })
  .strict();

export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;
export type ModalityOptions = z.infer<typeof modalityOptions>;

export const DEFAULT_SPLIT_SEED = 0;

const OPTIONS_FILE = 'dataset.json';

/** Reads `dataset.json` from the folder (`rootReal`: the folder after resolving links), if there is one. */
export function readDatasetOptions(rootReal: string): { options: DatasetOptions; text: string } {
  if (!fs.existsSync(path.join(rootReal, OPTIONS_FILE))) return { options: {}, text: '' };
  const text = readFolderFile(
    rootReal,
    OPTIONS_FILE,
    MAX_OPTIONS_BYTES,
    'bad-options',
    `(${OPTIONS_FILE} is optional: remove it to use the defaults.)`,
  ).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError({
      code: 'bad-options',
      file: 'dataset.json',
      message: `dataset.json is not valid JSON (${(error as Error).message}); fix it or remove the file to use the defaults.`,
    });
  }
  const modalities = (json as { modalities?: unknown } | null)?.modalities;
  if (typeof modalities === 'object' && modalities !== null && Object.hasOwn(modalities, '__proto__')) {
    throw new DatasetError({
      code: 'bad-options',
      file: 'dataset.json',
      message: `dataset.json: modalities."__proto__" ${modalityNameProblem('__proto__')}.`,
    });
  }
  const parsed = datasetOptionsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';
    throw new DatasetError({
      code: 'bad-options',
      file: 'dataset.json',
      message: `dataset.json: ${where}: ${issue?.message ?? 'invalid'}. Expected {"name"?, "description"?, "splitSeed"?, "modalities"?: {NAME: {height?, width?, channels?: 1|3, sampleRate?, clipSeconds?, melBands?}}}.`,
    });
  }
  return { options: parsed.data, text };
}
