import type { CacheReader } from '../data/cache/reader';
import type { PhaseRef, RunConfig, RunEvent } from '../protocol/run';
import type { CheckpointStore } from '../train/checkpoint';
import { SeedSequence, type ModalityInput } from '../train/models/networks';

/** What every phase of one seed of a run shares: the data, the split indices, the config and the event sink. */
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
  /** The seed this context trains with (one of the run's seeds). */
  seed: number;
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

/** A phase of this context's seed (events, store rows and checkpoints are keyed by it). */
export function phaseOf(context: RunContext, ref: PhaseRef): PhaseRef {
  return { ...ref, seed: context.seed };
}

/**
 * The initialiser and shuffling seeds of one phase: derived from the run seed and the phase's name, so a
 * phase gets the same numbers whichever other phases ran before it (a method added to a run, or a UMT
 * trained at another weight, changes nothing else).
 */
export function seedsFor(context: RunContext, key: string): SeedSequence {
  let hash = 2_166_136_261;
  for (const char of key) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16_777_619) >>> 0;
  return new SeedSequence((context.seed * 1_000_003 + hash) % 2_147_483_647);
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
    minEpochs: config.minEpochs,
    emit: context.emit,
    signal: context.signal,
  };
}
