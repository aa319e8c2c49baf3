import { AppError } from '../protocol/errors';

/**
 * SQLite's failures that the user's machine causes (a full disk, a damaged or read-only file), as errors
 * that name the database file and say what to do; null for anything else (a bug of ours stays one).
 * better-sqlite3's own messages ("database or disk is full", "database disk image is malformed") name no
 * file, and reached the user as "This is a bug", or as `internal` in web mode.
 */
export function storeError(error: unknown, file: string): AppError | null {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const said = `${code}: ${(error as Error).message}`;
  if (code === 'SQLITE_FULL') {
    return new AppError(
      'database',
      `The run database ${file} cannot be written: the disk it is on is full (${code}). Free some space there (or give --db a file on another disk); nothing recorded so far is lost, and a run stopped by it can be resumed (runs resume).`,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT_')) {
    return new AppError(
      'database',
      `The run database ${file} is damaged (${said}) and cannot be read. Move it aside (mv "${file}" "${file}.damaged") to start a new one, or put back a copy: one is kept beside it before each schema upgrade (${file}.before-v*.bak).`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new AppError(
      'database',
      `The run database ${file} cannot be written (${said}): the file or its folder is read-only for this user. Make both writable, or give --db a file in a folder you can write.`,
    );
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) {
    return new AppError(
      'database',
      `The run database ${file} could not be read or written (${said}). Check that its disk is mounted, writable and not full; nothing recorded so far is lost.`,
    );
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return new AppError(
      'busy',
      `The run database ${file} is locked by another process (${code}) for longer than 5 s; try again when that process has finished writing.`,
    );
  }
  return null;
}

/** Runs `work`, turning SQLite's failures on `file` into {@link storeError}s. */
export function withStoreErrors<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw storeError(error, file) ?? error;
  }
}
