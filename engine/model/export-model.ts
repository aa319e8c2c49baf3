import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';

/**
 * Copies a saved model folder (model.json, weights, model-card.json) to `target`, which must not exist yet
 * or be empty: an export never overwrites anything. Returns the copied files, relative to `target`.
 */
export function exportModelFolder(source: string, target: string): { dir: string; files: string[] } {
  if (!fs.existsSync(source)) throw new UserError('model-files', `The model folder ${source} is gone (moved or deleted?); re-run to train the model again.`);
  const dir = path.resolve(target);
  if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) {
    throw new UserError('model-files', `${dir} already exists and is not an empty folder; choose a new or empty folder so that nothing is overwritten.`);
  }
  fs.cpSync(source, dir, { recursive: true });
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  return { dir, files };
}
