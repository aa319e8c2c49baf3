/**
 * The typed protocol between a host (the CLI, the web mode, Electron's main process) and the engine process.
 * The only contract between them: requests by call name with their params, one response per request as
 * data (`{ok, value} | {ok: false, error}`: IPC drops error classes), and a stream of run messages.
 */
import type { ValidationReport } from './dataset';
import type { RunConfig, RunEvent, RunResult } from './run';
import type { RunSummary, StoredRun } from './store';

export interface EngineCalls {
  'dataset:validate': { params: { dir: string }; result: ValidationReport };
  /** `out`: where to save the final model (default: the app data folder, runs/RUN_ID/model). */
  'run:start': { params: { dataset: string; config?: Partial<RunConfig>; out?: string }; result: { runId: string } };
  /** Continues an interrupted, cancelled or failed run from its checkpoints, on the same data. */
  'run:resume': { params: { runId: string; out?: string }; result: { runId: string } };
  'run:cancel': { params: { runId: string }; result: { cancelled: boolean } };
  'runs:list': { params: Record<string, never>; result: { runs: RunSummary[] } };
  'runs:show': { params: { id: string }; result: StoredRun };
}

export type EngineCallName = keyof EngineCalls;

export const ENGINE_CALL_NAMES: readonly EngineCallName[] = ['dataset:validate', 'run:start', 'run:resume', 'run:cancel', 'runs:list', 'runs:show'];

export interface EngineRequest<K extends EngineCallName = EngineCallName> {
  kind: 'request';
  id: number;
  call: K;
  params: EngineCalls[K]['params'];
}

export interface EngineError {
  /** `config`, `dataset`, `backend-unavailable`, `busy`, `not-found`, `bad-request`, `internal`, … */
  code: string;
  message: string;
}

export type EngineResult<T> = { ok: true; value: T } | { ok: false; error: EngineError };

export type EngineMessage =
  | { kind: 'ready' }
  | { kind: 'response'; id: number; result: EngineResult<unknown> }
  | { kind: 'run-event'; runId: string; event: RunEvent }
  | { kind: 'run-ended'; runId: string; status: 'completed'; result: RunResult; modelDir: string }
  | { kind: 'run-ended'; runId: string; status: 'cancelled' | 'failed'; error: EngineError };
