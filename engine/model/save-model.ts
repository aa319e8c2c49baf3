import fs from 'node:fs';
import path from 'node:path';
import type { CacheMeta } from '../data/cache/meta';
import type { RunResult } from '../protocol/run';
import type { PipelineModels } from '../train/pipeline';
import { buildCard, MODEL_CARD_FILE, type ModelCard } from './model-card';
import { saveLayersModel } from './model-files';
import { isAbsentOrEmptyFolder, makeFolder } from '../util/folders';
import { AppError } from '../protocol/errors';

/**
 * Writes the run's final model — UMT's fused network, or UME's teachers — with its model card into `target`,
 * which must be absent or empty. The files are written into a fresh folder beside it and moved into place at
 * the end, so `target` never holds half a model and nothing that appeared there meanwhile is overwritten.
 */
export async function saveFinalModel(target: string, meta: CacheMeta, result: RunResult, models: PipelineModels): Promise<ModelCard> {
  makeFolder(path.dirname(target));
  const partial = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.partial-`));
  try {
    const card = await writeModelFiles(partial, meta, result, models);
    moveIntoPlace(partial, target);
    return card;
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

function moveIntoPlace(partial: string, target: string): void {
  if (!isAbsentOrEmptyFolder(target)) {
    throw new AppError('output', `${target} is no longer empty (something was written there while the run trained), so the model was not saved there. Nothing is lost: the trained networks are in the run's checkpoints; resume the run with another folder (runs resume RUN_ID --out NEW_FOLDER) to save it.`);
  }
  if (fs.existsSync(target)) fs.rmdirSync(target);
  fs.renameSync(partial, target);
}

async function writeModelFiles(dir: string, meta: CacheMeta, result: RunResult, models: PipelineModels): Promise<ModelCard> {
  const networks: ModelCard['networks'] = [];
  if (result.decision.method === 'umt' && models.umt) {
    await saveLayersModel(models.umt, path.join(dir, 'umt'));
    networks.push({ path: 'umt', modalities: meta.modalities.map((m) => m.name) });
  } else {
    for (const [i, teacher] of models.teachers.entries()) {
      const folder = `teacher-${i}`;
      await saveLayersModel(teacher.model, path.join(dir, folder));
      networks.push({ path: folder, modalities: [teacher.modality] });
    }
  }
  const card = buildCard(meta, result, networks);
  fs.writeFileSync(path.join(dir, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
  return card;
}
