import type { EpochMetrics } from '../protocol/run';

/** What a finished training phase gives back (fit.ts), also as a checkpoint restores it (fit-checkpoint.ts). */
export interface FitResult {
  history: EpochMetrics[];
  bestEpoch: number;
  stoppedEarly: boolean;
}
