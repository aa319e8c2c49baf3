import fs from 'node:fs';
import path from 'node:path';
import type { CacheMeta } from '../data/cache/meta';
import type { RunResult } from '../protocol/run';
import type { PipelineModels } from '../train/pipeline';
import { buildCard, MODEL_CARD_FILE, type ModelCard } from './model-card';
import { saveLayersModel } from './model-files';

/** Writes the run's final model — UMT's fused network, or UME's teachers — with its model card. */
export async function saveFinalModel(dir: string, meta: CacheMeta, result: RunResult, models: PipelineModels): Promise<ModelCard> {
  fs.mkdirSync(dir, { recursive: true });
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
