import type {
  BackendInfo,
  CandidateResult,
  Decision,
  EpochMetrics,
  Evaluation,
  FinalChoice,
  LazinessEntry,
  LazinessVerdict,
  MethodId,
  ResultRow,
  RunConfig,
  SeedStat,
} from './run';
import type { LeftOutSample } from './dataset';

/** What the run store keeps, as hosts see it (`runs list`, `runs show`, the run browser). */

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunSummary {
  id: string;
  dataset: string;
  /** The final model's method id (before the run completes: the method requested). */
  method: string;
  seeds: number;
  status: RunStatus;
  /** Test accuracy of the final model, when the run completed. */
  final: number | null;
  startedAt: string | null;
  /** Wall time, waiting for the user's decision included; `waitingMs` is that wait. */
  durationMs: number | null;
  waitingMs: number;
  /** The run's settings (the run browser's optional columns) and the backend it trained on. */
  config: RunConfig;
  backend: string | null;
  /** The user went on with another method than the decision trick's. */
  overridden: boolean;
  tags: string[];
}

/** The run list's columns a query can sort by (the run browser's and `runs list`'s), or a setting: `config.ID`. */
export const RUN_SORT_COLUMNS = [
  'started',
  'dataset',
  'method',
  'status',
  'final',
  'duration',
  'seeds',
  'backend',
] as const;
export type RunSortColumn = (typeof RUN_SORT_COLUMNS)[number] | `config.${string}`;

/** A page of the run list, found, filtered and sorted by the database (`runs:list`). */
export interface RunQuery {
  /** At most this many runs (all when absent). */
  limit?: number;
  offset?: number;
  /**
   * Words that every listed run matches, each in what its row shows: the dataset's name, the final model (id or
   * label), the status, a tag, the note, the id, or `override` for a run whose trick was overridden.
   */
  search?: string;
  status?: RunStatus;
  tag?: string;
  /** Newest first when absent. */
  sort?: { column: RunSortColumn; direction: 'asc' | 'desc' };
}

/** A page of runs and how many match the query in all. */
export interface RunPage {
  runs: RunSummary[];
  total: number;
}

/** `runs check`: the database's health and size. */
export interface StoreCheck {
  /** SQLite's quick_check found nothing. */
  ok: boolean;
  /** What quick_check reported when it found something (at most 20 lines). */
  problems: string[];
  bytes: number;
  runs: number;
  epochRows: number;
  /** The database's size over its runs; the epochs table's pages (with their index) over its rows. */
  bytesPerRun: number | null;
  bytesPerEpochRow: number | null;
}

export interface StoredPhase {
  name: string;
  seed: number;
  modality?: string;
  model?: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  bestEpoch: number | null;
  stoppedEarly: boolean | null;
  epochs: EpochMetrics[];
}

export interface StoredDataset {
  fingerprint: string;
  path: string;
  name: string;
  format: string;
  modalities: { name: string; kind: string; shape: number[] }[];
  classes: string[];
  splitRule: string;
  splits: { train: number; val: number; test: number };
}

export interface StoredRun {
  id: string;
  status: RunStatus;
  methodRequested: string;
  method: string | null;
  config: RunConfig;
  seed: number;
  backend: BackendInfo | null;
  final: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Wall time, waiting for the user's decision included; `waitingMs` is that wait (compute = the difference). */
  durationMs: number | null;
  waitingMs: number;
  /** Samples left out at the user's request, with why; the run did not train or evaluate on them. */
  leftOut: LeftOutSample[];
  note: string;
  tags: string[];
  dataset: StoredDataset;
  /** The run's seeds: seed, seed + 1, … */
  seeds: number[];
  decision: Decision | null;
  /** The models the run trained, in the registry's order. */
  candidates: StoredCandidate[];
  finalChoice: StoredFinal | null;
  phases: StoredPhase[];
  evaluations: Evaluation[];
  results: ResultRow[];
  laziness: LazinessEntry[];
  lazinessVerdicts: LazinessVerdict[];
  notices: string[];
  artifacts: { kind: 'model' | 'checkpoint'; path: string; phase: string; epoch: number | null; createdAt: string }[];
}

/** A candidate as stored: runs made before validation was evaluated (schema version 1) have no `val`. */
export interface StoredCandidate extends Omit<CandidateResult, 'val' | 'test' | 'trainingMs'> {
  val: SeedStat | null;
  test: SeedStat | null;
  trainingMs: number | null;
  /** Its saved model folder (the first seed's networks), when it was saved. */
  modelPath: string | null;
}

/** The final choice as stored; its accuracies are its candidate's. `best` is unknown for version 1 runs. */
export interface StoredFinal extends Omit<FinalChoice, 'val' | 'test' | 'best'> {
  best: MethodId | null;
}

/** `runs export` output, and what `runs import` reads (version 1, written before final choices and seeds were recorded, is read too). */
export interface RunExport {
  format: 'modality-studio-run';
  version: 2;
  exportedAt: string;
  run: StoredRun;
}

/** What `runs:import` did with an exported run. */
export interface ImportOutcome {
  id: string;
  renamed: boolean;
  /** The model folder copied into the app's data folder, if the export's model could be found and checked. */
  model: string | null;
  /** Artifacts of the export that were not kept, each with the reason. */
  dropped: string[];
}
