import path from 'node:path';
import { defaultCacheDir } from '../data/cache/location';
import { localEngine, type LocalEngine } from '../process/local-engine';
import { AppError } from '../protocol/errors';
import { defaultDatabasePath } from '../store/open-store';
import { EXIT_USAGE, type CliContext } from './context';

export interface LocalEngineOptions {
  db?: string;
  cacheDir?: string;
  /** `lazy` for commands that never touch the run database (validate, predict). */
  store?: 'eager' | 'lazy';
  prepareInThread?: boolean;
}

/**
 * Runs a command's work through the engine's calls (served in this process), closing it after. An engine
 * error becomes its message on stderr and exit code 1 (2 for a bad setting): the same rules, and the same
 * messages, as in the app.
 */
export async function withLocalEngine(
  context: CliContext,
  options: LocalEngineOptions,
  work: (engine: LocalEngine) => Promise<void>,
): Promise<void> {
  let engine: LocalEngine | null = null;
  try {
    engine = localEngine({
      dbFile: options.db ? path.resolve(options.db) : defaultDatabasePath(),
      cacheDir: path.resolve(options.cacheDir ?? defaultCacheDir()),
      store: options.store ?? 'eager',
      prepareInThread: options.prepareInThread ?? false,
    });
    await work(engine);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    context.stderr.write(`${error.message}\n`);
    context.exitCode = error.code === 'config' ? EXIT_USAGE : 1;
  } finally {
    await engine?.close();
  }
}
