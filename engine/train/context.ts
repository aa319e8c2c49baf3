import type { CacheReader } from '../data/cache/reader';
import type { RunConfig, RunEvent } from '../protocol/run';
import type { CheckpointStore } from './checkpoint';
import type { ModalityInput, SeedSequence } from './models/networks';

/** What every phase of a run shares: the data, the split indices, the config and the event sink. */
export interface RunContext {
  reader: CacheReader;
  modalities: ModalityInput[];
  classes: string[];
  /** Class index of every sample, manifest order. */
  labels: Int32Array;
  train: number[];
  val: number[];
  test: number[];
  all: number[];
  config: RunConfig;
  seeds: SeedSequence;
  emit: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Where trained phases save their state each epoch, so an interrupted run can be resumed. */
  checkpoints?: CheckpointStore;
}

/** Linear classifiers on frozen features train at 10× the encoder rate: one layer, convex, slow at 1e-3. */
export const LINEAR_RATE_FACTOR = 10;

export function labelsAt(context: RunContext, indices: number[]): Int32Array {
  return Int32Array.from(indices, (i) => context.labels[i] ?? 0);
}

/** The fit options every phase of a run shares: its data split, classes, optimiser settings and sinks. */
export function sharedFitOptions(context: RunContext) {
  const { config } = context;
  return {
    labels: context.labels,
    classes: context.classes.length,
    trainIndices: context.train,
    valIndices: context.val,
    batchSize: config.batchSize,
    patience: config.patience,
    emit: context.emit,
    signal: context.signal,
  };
}
