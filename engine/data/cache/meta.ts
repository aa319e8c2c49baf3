import type { DatasetIssue, LeftOutSample, Split, SplitRule, ValidationReport } from '../../protocol/dataset';
import type { ModalityPlan } from '../plan';

/**
 * Bump when decoding changes, so that old caches are not read as if they were current.
 * 1: first format (float32 sample-major files, one per modality).
 * 2: vector modalities from CSV columns keep their column names (the data check shows them).
 */
export const CACHE_FORMAT_VERSION = 2;

/** Standardisation fitted on the training split only: per feature for vectors, one scalar for audio. */
export interface Normalization {
  mean: number[];
  std: number[];
}

export interface CachedModality extends ModalityPlan {
  /** File name inside the cache folder. */
  file: string;
  normalization: Normalization | null;
}

/** `meta.json` of a cache folder: everything about a prepared dataset except the decoded values. */
export interface CacheMeta {
  version: number;
  key: string;
  fingerprint: string;
  name: string;
  root: string;
  format: ValidationReport['format'];
  splitRule: SplitRule;
  splitSeed: number;
  classes: string[];
  sampleIds: string[];
  /** Class index of each sample, in manifest order. */
  labels: number[];
  splits: Split[];
  modalities: CachedModality[];
  warnings: DatasetIssue[];
  warningCount: number;
  /** Samples the user left out, and why (their cache is a separate one: the fingerprint covers the exclusion). */
  leftOut?: LeftOutSample[];
  createdAt: string;
}
