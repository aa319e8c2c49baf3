import fs from 'node:fs';
import path from 'node:path';
import { claimModelFolder } from './model-output';
import { copyModelFolder } from './model-folder';
import { AppError } from '../protocol/errors';

/**
 * Copies a saved model folder (model.json, weights, model-card.json) to `target`, which must not exist yet
 * or be empty, and must lie outside the run's dataset folder: an export never overwrites anything and never
 * writes into the data. Returns the copied files, relative to `target`.
 */
export function exportModelFolder(
  source: string,
  target: string,
  datasetRoot: string,
): { dir: string; files: string[] } {
  if (!fs.existsSync(source))
    throw new AppError(
      'model-files',
      `The model folder ${source} is gone (moved or deleted?); re-run to train the model again.`,
    );
  const dir = claimModelFolder(target, datasetRoot);
  copyModelFolder(source, dir);
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
  return { dir, files };
}
