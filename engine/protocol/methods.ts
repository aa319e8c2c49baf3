import type { MethodId } from './run';

/** A training method of the registry, as a UI lists it (`methods:list`). */
export interface MethodInfo {
  id: MethodId;
  label: string;
  /** Where it comes from (paper section, or the paper that proposed it). */
  reference: string;
  /** What it trains, in words: its cost beside a run. */
  trains: string;
  /** Trained only when asked for (`--methods`, the wizard's "Also compare"); the others train in every run. */
  optional: boolean;
}
