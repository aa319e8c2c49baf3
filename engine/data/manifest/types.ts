import type { Split } from '../../protocol/dataset';

/** One modality's value in one manifest row: a file to decode, or numbers given in the manifest itself. */
export type Cell = { type: 'file'; path: string } | { type: 'numbers'; values: number[] };

export interface ManifestSample {
  id: string;
  /** `null` only when the manifest is read without labels (for `predict`). */
  label: string | null;
  split: Split | null;
  /** Where the sample was declared: the manifest file and its 1-based line, or its first file and 0 in a folder layout. */
  file: string;
  line: number;
  cells: Map<string, Cell>;
}

export interface ModalityDeclaration {
  name: string;
  /** `columns`: CSV `NAME.FEATURE` columns; `files`: relative paths; `inline`: JSONL number arrays. */
  source: 'columns' | 'files' | 'inline';
  /** For `columns`: the column names in feature order. */
  columns?: string[];
}

export interface Manifest {
  format: 'csv' | 'jsonl' | 'layout';
  /** The manifest file relative to the dataset folder, or `.` for a folder layout. */
  file: string;
  samples: ManifestSample[];
  modalities: ModalityDeclaration[];
  /** sha256 of the manifest's bytes (for a layout, of its sorted file listing): part of the fingerprint. */
  contentHash: string;
}

export interface ReadManifestOptions {
  /** `false` when classifying new data: the label column may then be absent or empty. */
  requireLabels: boolean;
}
