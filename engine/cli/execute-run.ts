import path from 'node:path';
import type Database from 'better-sqlite3';
import type { PreparedDataset } from '../data/prepare';
import { UserError } from '../errors';
import { saveFinalModel } from '../model/save-model';
import type { RunConfig } from '../protocol/run';
import { completeRun, endRun, eventRecorder } from '../store/run-writer';
import { folderCheckpoints } from '../train/checkpoint';
import { runPipeline } from '../train/pipeline';
import { EXIT_USAGE, type CliContext } from './context';
import { formatEventLine, formatRunSummary } from './format-run';
import { PhaseProgress } from './phase-progress';

export interface ExecuteRunOptions {
  runId: string;
  db: Database.Database;
  dataset: PreparedDataset;
  config: RunConfig;
  modelDir: string;
  checkpointDir: string;
  json: boolean;
}

/**
 * Runs (or resumes) a recorded run to its end: events go to the store and to stderr, the final model is
 * saved, and the run is marked completed, cancelled (SIGINT/SIGTERM, `runs cancel`) or failed. Shared by
 * `run` and `runs resume`, so a resumed run ends exactly like a fresh one.
 */
export async function executeRun(context: CliContext, options: ExecuteRunOptions): Promise<void> {
  const { runId, db, dataset, config } = options;
  const progress = new PhaseProgress(context.stderr);
  const record = eventRecorder(db, runId);
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  context.stderr.write(`run ${runId}\n`);
  try {
    const { result, models } = await runPipeline(dataset, config, {
      signal: controller.signal,
      checkpoints: folderCheckpoints(options.checkpointDir),
      emit: (event) => {
        record(event);
        if (event.type === 'batch') progress.onBatch(event);
        const line = formatEventLine(event);
        if (line) {
          progress.clear();
          context.stderr.write(`${line}\n`);
        }
      },
    });
    progress.clear();
    const modelDir = path.resolve(options.modelDir);
    try {
      await saveFinalModel(modelDir, dataset.meta, result, models);
    } finally {
      [models.lateFusion, models.umt, ...models.teachers.map((t) => t.model)].forEach((m) => m?.dispose());
    }
    completeRun(db, runId, result, modelDir);
    if (options.json) {
      const { backend, decision, test, laziness, durationMs } = result;
      context.stdout.write(`${JSON.stringify({ runId, backend: backend.name, backendInfo: backend, dataset: result.dataset, config: result.config, decision, test, laziness, evaluations: result.evaluations, modelDir, durationMs })}\n`);
    } else {
      context.stdout.write(`${formatRunSummary(result, runId)}\nModel saved to ${modelDir}\n`);
    }
  } catch (error) {
    progress.clear();
    const aborted = error instanceof UserError && error.code === 'aborted';
    endRun(db, runId, aborted ? 'cancelled' : 'failed', (error as Error).message);
    if (!(error instanceof UserError)) throw error;
    context.stderr.write(`${error.message}\n`);
    context.exitCode = error.code === 'config' ? EXIT_USAGE : 1;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
