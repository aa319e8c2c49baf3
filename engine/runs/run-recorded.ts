import path from 'node:path';
import type Database from 'better-sqlite3';
import type { PreparedDataset } from '../data/prepare';
import { saveRunModels } from '../model/save-model';
import type { RunConfig, RunEvent, RunResult } from '../protocol/run';
import { completeRun, endRun, eventRecorder } from '../store/run-writer';
import { folderCheckpoints } from '../train/checkpoint';
import { runPipeline, type PipelineEvents } from '../method/pipeline';
import { AppError } from '../protocol/errors';
import { storeError } from '../store/store-errors';

export interface RecordedRunOptions {
  runId: string;
  db: Database.Database;
  dataset: PreparedDataset;
  config: RunConfig;
  modelDir: string;
  checkpointDir: string;
  signal?: AbortSignal;
  /** Every pipeline event, after the store has recorded it. */
  onEvent?: (event: RunEvent) => void;
  chooseMethod?: PipelineEvents['chooseMethod'];
}

export type RecordedRunOutcome =
  | { status: 'completed'; result: RunResult; modelDir: string }
  | {
      status: 'cancelled' | 'failed';
      error: AppError | Error;
      /** Set when the end could not be recorded (the disk is full): the host retries it later. */
      recordEnd?: () => void;
    };

/**
 * Runs (or resumes, from its checkpoints) a run that the store already holds, to its end: events are
 * recorded as they happen, the final model is saved, and the run is marked completed, cancelled or failed.
 * Every host (CLI, engine process) goes through here, so a run ends the same way wherever it was started.
 */
export async function runRecorded(options: RecordedRunOptions): Promise<RecordedRunOutcome> {
  const { runId, db, dataset, config } = options;
  const record = eventRecorder(db, runId);
  try {
    const { result, models } = await runPipeline(dataset, config, {
      signal: options.signal,
      chooseMethod: options.chooseMethod,
      checkpoints: folderCheckpoints(options.checkpointDir, config.seed),
      emit: (event) => {
        record(event);
        options.onEvent?.(event);
      },
    });
    const modelDir = path.resolve(options.modelDir);
    let folders;
    try {
      folders = await saveRunModels(modelDir, dataset.meta, result, models);
    } finally {
      models.dispose();
    }
    completeRun(db, runId, result, modelDir, folders);
    return { status: 'completed', result, modelDir };
  } catch (caught) {
    const error = withRunId(storeError(caught, db.name) ?? (caught as Error), runId);
    const status = error instanceof AppError && error.code === 'aborted' ? 'cancelled' : 'failed';
    const recordEnd = () => endRun(db, runId, status, error.message);
    try {
      recordEnd();
    } catch (failure) {
      // The store cannot take the end either (a full disk): the run stays `running` in it until the host
      // records the end later, or a later open marks it interrupted; either way it can be resumed.
      if (!storeError(failure, db.name)) throw failure;
      return { status, error, recordEnd };
    }
    return { status, error };
  }
}

/** A message that tells how to resume names the run (the writers of checkpoints and models do not know it). */
function withRunId(error: Error, runId: string): Error {
  if (error.message.includes('RUN_ID'))
    return new AppError(error instanceof AppError ? error.code : 'internal', error.message.replaceAll('RUN_ID', runId));
  if (error instanceof AppError && error.code === 'database')
    return new AppError('database', `${error.message} The run is ${runId}.`);
  return error;
}
