/**
 * How an engine call fails, in one place: a code from one union, one error class, and the two helpers that
 * turn an outcome into data for a process boundary (IPC drops error classes) and back.
 */

/** Every failure a host can see. Codes are stable: hosts and tests key on them. */
export const ERROR_CODES = [
  // The request itself.
  'bad-request',
  'unauthorized',
  'bad-host',
  'forbidden',
  // Something the user gave or asked for.
  'config',
  'dataset',
  'not-found',
  'not-resumable',
  'busy',
  'backend-unavailable',
  'model-files',
  'output',
  'database',
  'aborted',
  // The engine or the connection to it.
  'engine-exited',
  'offline',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface EngineError {
  code: ErrorCode;
  /** What was given, what was expected, where, and how to fix it. */
  message: string;
}

export type EngineResult<T> = { ok: true; value: T } | { ok: false; error: EngineError };

/** The one error class: errors a user can cause, and failures that cross a process boundary. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** An error as data: an AppError keeps its code; anything else is ours, `internal`. */
export function errorResult(error: unknown): { ok: false; error: EngineError } {
  const code = error instanceof AppError ? error.code : 'internal';
  return { ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } };
}

/** Runs `work` and returns its outcome as data, never a throw. */
export async function toResult<T>(work: () => T | Promise<T>): Promise<EngineResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return errorResult(error);
  }
}

/** The value of an outcome, or its error thrown again as an {@link AppError}. */
export function fromResult<T>(result: EngineResult<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.message);
}
