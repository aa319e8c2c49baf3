import fs from 'node:fs';
import path from 'node:path';
import type { CacheMeta } from '../data/cache/meta';
import type { MethodId, RunResult } from '../protocol/run';
import type { PipelineModels } from '../method/pipeline';
import { buildCard, MODEL_CARD_FILE, type ModelCard } from './model-card';
import { saveLayersModel } from './model-files';
import { isAbsentOrEmptyFolder, makeFolder } from '../util/folders';
import { AppError } from '../protocol/errors';
import { storageReason } from '../util/fs-errors';
import { partialName, removeStalePartials } from '../util/partials';

/**
 * The folder of a candidate inside the run's model folder: its id, with anything but letters, digits, `-`
 * and `_` made `-` (teacher ids hold a ':', which Windows refuses), and a number added if that collides.
 */
export function candidateFolderName(method: MethodId, taken: Set<string>): string {
  const safe = method.replace(/[^A-Za-z0-9_-]/g, '-');
  let name = safe;
  for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${safe}-${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * Writes every candidate of the run into `target` (absent or empty), one self-contained model folder each
 * (`target/late-fusion`, `target/umt`, …, each with its model card), and the final model's card at the top,
 * pointing at its candidate's networks: `predict --model target` uses the final model, `predict --model
 * target/late-fusion` another one. The files are written into a fresh folder beside `target` and moved into
 * place at the end, so `target` never holds half a model and nothing that appeared there meanwhile is overwritten.
 * Returns each candidate's folder.
 */
export async function saveRunModels(
  target: string,
  meta: CacheMeta,
  result: RunResult,
  models: PipelineModels,
): Promise<Record<MethodId, string>> {
  let partial: string | null = null;
  try {
    makeFolder(path.dirname(target));
    const hidden = path.join(path.dirname(target), `.${path.basename(target)}`);
    removeStalePartials(hidden);
    partial = fs.mkdtempSync(path.join(path.dirname(target), `.${partialName(target)}`));
    const folders = await writeModelFiles(partial, meta, result, models);
    moveIntoPlace(partial, target);
    return Object.fromEntries(Object.entries(folders).map(([method, folder]) => [method, path.join(target, folder)]));
  } catch (error) {
    const reason = storageReason(error);
    if (!reason) throw error;
    throw new AppError(
      'output',
      `The model could not be saved to ${target}: ${reason}. Nothing is lost: the trained networks are in the run's checkpoints; free space (or choose another folder) and resume the run (runs resume RUN_ID, with --out NEW_FOLDER for another folder) to save it.`,
    );
  } finally {
    if (partial) fs.rmSync(partial, { recursive: true, force: true });
  }
}

function moveIntoPlace(partial: string, target: string): void {
  if (!isAbsentOrEmptyFolder(target)) {
    throw new AppError(
      'output',
      `${target} is no longer empty (something was written there while the run trained), so the model was not saved there. Nothing is lost: the trained networks are in the run's checkpoints; resume the run with another folder (runs resume RUN_ID --out NEW_FOLDER) to save it.`,
    );
  }
  if (fs.existsSync(target)) fs.rmdirSync(target);
  fs.renameSync(partial, target);
}

async function writeModelFiles(
  dir: string,
  meta: CacheMeta,
  result: RunResult,
  models: PipelineModels,
): Promise<Record<MethodId, string>> {
  const folders: Record<MethodId, string> = {};
  let finalCard: ModelCard | null = null;
  const taken = new Set<string>();
  for (const candidate of models.candidates) {
    const folder = candidateFolderName(candidate.method, taken);
    const networks: ModelCard['networks'] = [];
    for (const [i, network] of candidate.networks.entries()) {
      const name = candidate.networks.length === 1 ? 'network' : `network-${i}`;
      await saveLayersModel(network.model, path.join(dir, folder, name));
      networks.push({ path: name, modalities: network.modalities });
    }
    const card = buildCard(meta, result, { ...candidate, seed: models.seed }, networks);
    writeCard(path.join(dir, folder), card);
    folders[candidate.method] = folder;
    if (card.final) finalCard = { ...card, networks: networks.map((n) => ({ ...n, path: `${folder}/${n.path}` })) };
  }
  if (!finalCard) throw new Error(`The final model ${result.final.method} was not among the saved candidates.`);
  writeCard(dir, finalCard);
  return folders;
}

function writeCard(dir: string, card: ModelCard): void {
  fs.writeFileSync(path.join(dir, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
}
