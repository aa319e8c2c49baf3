import os from 'node:os';
import path from 'node:path';
import { AppError } from './protocol/errors';
import { isSafeRunId } from './protocol/run-id';

/**
 * The app's data folder (runs, models, and later the run database), the same one the desktop app uses:
 * `MODALITY_STUDIO_HOME` when set, otherwise the OS convention for application data.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.MODALITY_STUDIO_HOME) return path.resolve(env.MODALITY_STUDIO_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'modality-studio');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'modality-studio');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'modality-studio');
}

/**
 * A run's own files (its checkpoints, and its model unless `--out` names a folder) live in `runs/ID/` beside
 * the run database: the database and its runs' files stay together, wherever `--db` puts them. For the
 * default database (in the app data folder) that is where they always were.
 */
export function runFilesDir(databaseFile: string, runId: string): string {
  if (!isSafeRunId(runId))
    throw new AppError(
      'config',
      `Run id ${JSON.stringify(String(runId).slice(0, 80))} cannot name a folder (run ids are letters, digits, "-" and "_"); this run cannot be resumed or saved here.`,
    );
  return path.join(path.dirname(path.resolve(databaseFile)), 'runs', runId);
}

/** Where a run's model goes unless `--out` says otherwise. */
export function defaultModelDir(databaseFile: string, runId: string): string {
  return path.join(runFilesDir(databaseFile, runId), 'model');
}

/** Where a run's per-epoch checkpoints go (what `runs resume` continues from). */
export function defaultCheckpointDir(databaseFile: string, runId: string): string {
  return path.join(runFilesDir(databaseFile, runId), 'checkpoints');
}
