import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { defaultDataDir } from '../app-paths';
import { makeFolder } from '../util/folders';
import { loadMigrations, migrate } from './migrate';
import { AppError } from '../protocol/errors';
import { withStoreErrors } from './store-errors';
import { isAlive } from '../util/process-alive';

/** The repository's migrations/ folder: the nearest one above this module (source or bundle, wherever it sits). */
export const MIGRATIONS_DIR = findMigrations(path.dirname(fileURLToPath(import.meta.url)));

function findMigrations(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(path.join(candidate, '0001-create-runs.sql'))) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..', 'migrations');
  }
}

/** The run database: `--db`, else `MODALITY_STUDIO_DB`, else `runs.sqlite` in the app data folder. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODALITY_STUDIO_DB ? path.resolve(env.MODALITY_STUDIO_DB) : path.join(defaultDataDir(env), 'runs.sqlite');
}

export interface OpenedStore {
  db: Database.Database;
  file: string;
  /** The copy kept before a migration, if one ran. */
  backup: string | null;
  /** Runs found `running` whose process is gone, now marked `interrupted`. */
  interrupted: string[];
}

/**
 * Opens (creating if needed) the run database in WAL mode — one writer, any number of readers — brings its
 * schema up to date, and marks runs whose engine process died (SIGKILL, power loss) as interrupted, with
 * their finished epochs kept.
 */
export function openStore(file: string = defaultDatabasePath(), options: { readonly?: boolean } = {}): OpenedStore {
  const db = withStoreErrors(file, () => openDatabaseFile(file, options.readonly ?? false));
  if (options.readonly) return { db, file, backup: null, interrupted: [] };
  try {
    return withStoreErrors(file, () => {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // WAL + NORMAL: a committed transaction survives a killed process; only an OS crash can lose the last ones.
      db.pragma('synchronous = NORMAL');
      const backup = migrate(db, loadMigrations(MIGRATIONS_DIR), file);
      return { db, file, backup, interrupted: markInterruptedIfWritable(db) };
    });
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Marks dead runs interrupted; on a full disk that write waits for the next open, so that the runs can still
 * be listed and read (they show as running until then).
 */
function markInterruptedIfWritable(db: Database.Database): string[] {
  try {
    return markInterrupted(db);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_FULL') return [];
    throw error;
  }
}

/**
 * Opens the SQLite file, or says plainly why it cannot be used (a folder, a place that cannot be created or
 * written, a file that is not a database): a wrong `--db` must not end in a stack trace or a hang.
 */
function openDatabaseFile(file: string, readonly: boolean): Database.Database {
  const unusable = (why: string) =>
    new AppError(
      'database',
      `The run database ${file} cannot be used: ${why}. Give --db (or MODALITY_STUDIO_DB) the path of a .sqlite file in a folder you can write, e.g. ${path.join(os.homedir(), 'runs.sqlite')}.`,
    );
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw unusable('it is a folder');
  try {
    if (!readonly) makeFolder(path.dirname(file));
  } catch (error) {
    throw unusable(
      `its folder ${path.dirname(file)} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  // The desktop app's engine runs inside Electron, whose ABI differs from Node's: it points us at a build of
  // better-sqlite3 for Electron (made at launch, beside node_modules, which the CLI keeps using).
  const nativeBinding = process.env.MODALITY_STUDIO_SQLITE_BINDING;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly, ...(nativeBinding ? { nativeBinding } : {}) });
    db.pragma('busy_timeout = 5000');
    // Reads the header: a file that is not an SQLite database fails here rather than in the middle of a run.
    db.pragma('schema_version');
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw unusable('it is not an SQLite database');
    if (code?.startsWith('SQLITE_CANTOPEN') || code?.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM')
      throw unusable(`SQLite cannot open it (${code})`);
    throw error;
  }
}

function markInterrupted(db: Database.Database): string[] {
  const host = os.hostname();
  const candidates = db.prepare("SELECT id, pid, host FROM runs WHERE status IN ('running', 'queued')").all() as {
    id: string;
    pid: number | null;
    host: string | null;
  }[];
  const dead = candidates.filter((run) => run.host === host && run.pid !== null && !isAlive(run.pid));
  const mark = db.transaction((ids: string[]) => {
    for (const id of ids) {
      db.prepare(
        "UPDATE runs SET status = 'interrupted', error = 'The engine process stopped before the run finished (killed or crashed); resume it with runs resume.' WHERE id = ?",
      ).run(id);
      db.prepare("UPDATE phases SET status = 'interrupted' WHERE run_id = ? AND status = 'running'").run(id);
    }
  });
  mark(dead.map((run) => run.id));
  return dead.map((run) => run.id);
}
