/**
 * The typed protocol between a host (the CLI, the web mode, Electron's main process) and the engine process.
 * The only contract between them: requests by call name with their params, one response per request as
 * data (`{ok, value} | {ok: false, error}`: IPC drops error classes), and a stream of run messages.
 */
import type { BackendCheck } from './backends';
import type { BuiltinDatasetInfo, DatasetPreview, PrepareProgress, ValidationReport } from './dataset';
import type { EngineError, EngineResult } from './errors';
import type { MethodInfo } from './methods';
import type { RunEstimate } from './estimate';
import type { PredictionReport } from './predict';
import type { BackendChoice, ChosenMethod, MethodId, RunConfig, RunEvent, RunResult } from './run';
import type { ImportOutcome, RunExport, RunPage, RunQuery, RunStatus, StoreCheck, StoredRun } from './store';

export type { EngineError, EngineResult } from './errors';

export interface EngineCalls {
  'datasets:list': { params: Record<string, never>; result: { datasets: BuiltinDatasetInfo[] } };
  /** `noCache`: check and decode everything, but write nothing to the cache. */
  /** `exclude`: sample ids to leave out (the user's "leave out these samples and continue"); see ValidationReport.leftOut. */
  'dataset:validate': { params: { dir: string; noCache?: boolean; exclude?: string[] }; result: ValidationReport };
  /** Pictures and statistics of a valid dataset (it is validated, and cached, first). */
  'dataset:preview': { params: { dir: string; exclude?: string[] }; result: DatasetPreview };
  /**
   * `out`: where to save the final model (default: the app data folder, runs/RUN_ID/model).
   * `confirmDecision`: after the decision trick, wait for `run:choose` before training the chosen method
   * (the wizard shows the evidence and lets the user override it).
   */
  'run:start': {
    params: {
      dataset: string;
      config?: Partial<RunConfig>;
      out?: string;
      confirmDecision?: boolean;
      exclude?: string[];
    };
    result: { runId: string };
  };
  /** Answers a run waiting at its decision: go on with `method` (an override when it differs from the trick's). */
  'run:choose': { params: { runId: string; method: ChosenMethod }; result: { accepted: boolean } };
  /** The run this engine is training, if any, and whether it waits for `run:choose`. */
  'run:active': { params: Record<string, never>; result: { runId: string | null; awaitingChoice: boolean } };
  /** Continues an interrupted, cancelled or failed run from its checkpoints, on the same data. */
  /**
   * Continues an interrupted, cancelled or failed run from its checkpoints. With `confirmDecision` (the app),
   * a run that asked the user at its decision and got no answer before it stopped asks again.
   */
  'run:resume': { params: { runId: string; out?: string; confirmDecision?: boolean }; result: { runId: string } };
  /**
   * Stops a running run at its next batch boundary, whichever engine process on this machine trains it (the
   * run's recorded pid); `reason` says why not when it cannot be cancelled.
   */
  'run:cancel': { params: { runId: string }; result: { cancelled: boolean; runId?: string; reason?: string } };
  'runs:list': { params: RunQuery; result: RunPage };
  'runs:show': { params: { id: string }; result: StoredRun };
  'runs:tag': { params: { id: string; add?: string[]; remove?: string[] }; result: { tags: string[] } };
  /** Sets a run's free-text note (an empty text clears it). */
  'runs:note': { params: { id: string; note: string }; result: { id: string; note: string } };
  /** Forgets a run (its records; model files stay on disk). A running run cannot be deleted. */
  'runs:delete': { params: { id: string }; result: { deleted: boolean; id: string } };
  /**
   * Deletes every run that matches (started before `before`, an ISO date; with `status`), running runs never;
   * with `dryRun`, only counts them.
   */
  'runs:prune': {
    params: { before?: string; status?: RunStatus; dryRun?: boolean };
    result: { matched: number; deleted: number };
  };
  /** SQLite's quick_check of the run database, and how large it is (in all, per run, per epoch row). */
  'runs:check': { params: Record<string, never>; result: StoreCheck };
  'runs:export': { params: { id: string }; result: RunExport };
  /** Adds a run exported elsewhere (what `runs:export` gave); its model folder is copied in when it is here. */
  'runs:import': { params: { data: unknown }; result: ImportOutcome };
  /**
   * Copies a completed run's model folder into `dir`, which must not exist yet or be empty: the final model
   * (with every candidate inside), or with `method` that candidate's model alone.
   */
  'model:export': {
    params: { runId: string; dir: string; method?: MethodId };
    result: { dir: string; files: string[] };
  };
  /**
   * Every backend, usable or not and why not, each usable one timed on a small training step (about five
   * seconds each): what `modality-studio doctor` prints.
   */
  'backends:check': { params: Record<string, never>; result: { backends: BackendCheck[] } };
  /**
   * Times a few training steps of each network a run with `config` would train on `dataset`, on the backend
   * it would use: the UI's estimate of the run's time before it starts. Refused while a run trains.
   */
  'run:estimate': { params: { dataset: string; config?: Partial<RunConfig> }; result: RunEstimate };
  /** The training methods of the registry, those a run trains only when asked for marked `optional`. */
  'methods:list': { params: Record<string, never>; result: { methods: MethodInfo[] } };
  /** Classifies the samples of a dataset folder (labels optional) with a model folder that `run` saved. */
  'model:predict': { params: { modelDir: string; dir: string; backend?: BackendChoice }; result: PredictionReport };
}

export type EngineCallName = keyof EngineCalls;

export const ENGINE_CALL_NAMES: readonly EngineCallName[] = [
  'datasets:list',
  'dataset:validate',
  'dataset:preview',
  'run:start',
  'run:choose',
  'run:active',
  'run:resume',
  'run:cancel',
  'runs:list',
  'runs:show',
  'runs:tag',
  'runs:note',
  'runs:delete',
  'runs:prune',
  'runs:check',
  'runs:export',
  'runs:import',
  'model:export',
  'model:predict',
  'backends:check',
  'methods:list',
  'run:estimate',
];

/** The messages a host relays to its UI: a run's events and its end, and the progress of preparing a dataset. */
export type RunMessage = Extract<EngineMessage, { kind: 'run-event' | 'run-ended' | 'dataset-progress' }>;

/**
 * What a UI sees of its host, in the desktop app (preload) and in the browser (web mode) alike:
 * the engine's calls, its run messages, and what only some hosts can do.
 */
export interface HostApi {
  kind: 'desktop' | 'web';
  call<K extends EngineCallName>(
    name: K,
    params: EngineCalls[K]['params'],
  ): Promise<EngineResult<EngineCalls[K]['result']>>;
  /** Returns a function that stops listening. */
  onRunMessage(listener: (message: RunMessage) => void): () => void;
  /** A native folder picker (desktop only): the chosen folder, or null when the user cancelled. */
  pickFolder?: () => Promise<string | null>;
}

export interface EngineRequest<K extends EngineCallName = EngineCallName> {
  kind: 'request';
  id: number;
  call: K;
  params: EngineCalls[K]['params'];
}

export type EngineMessage =
  | { kind: 'ready' }
  | { kind: 'response'; id: number; result: EngineResult<unknown> }
  | { kind: 'run-event'; runId: string; event: RunEvent }
  | { kind: 'run-ended'; runId: string; status: 'completed'; result: RunResult; modelDir: string }
  | { kind: 'run-ended'; runId: string; status: 'cancelled' | 'failed'; error: EngineError }
  /** While `dataset:validate`, `dataset:preview` or `run:start` prepares `dir` (a few per second at most). */
  | { kind: 'dataset-progress'; dir: string; progress: PrepareProgress };
