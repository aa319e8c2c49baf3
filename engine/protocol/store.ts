import type { Decision, EpochMetrics, Evaluation, LazinessRow, RunConfig } from './run';

/** What the run store keeps, as hosts see it (`runs list`, `runs show`, the run browser). */

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunSummary {
  id: string;
  dataset: string;
  method: string;
  status: RunStatus;
  /** Test accuracy of the final model, when the run completed. */
  final: number | null;
  startedAt: string | null;
  durationMs: number | null;
  tags: string[];
}

export interface StoredPhase {
  name: string;
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
  backend: { name: string; tfBackend: string; version: string; threads: number } | null;
  final: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  note: string;
  tags: string[];
  dataset: StoredDataset;
  decision: Decision | null;
  phases: StoredPhase[];
  evaluations: Evaluation[];
  laziness: Record<string, LazinessRow>;
  artifacts: { kind: 'model' | 'checkpoint'; path: string; phase: string; epoch: number | null; createdAt: string }[];
}

/** `runs export` output, and what `runs import` reads. */
export interface RunExport {
  format: 'modality-studio-run';
  version: 1;
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
