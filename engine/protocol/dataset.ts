/**
 * What the engine tells a host about a dataset folder: the validation report and its parts.
 * Pure types: the CLI, the web mode and the renderer all read these, none of them imports the data layer.
 */

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** How a modality's samples are decoded. `array` is a .npy modality, decoded as a vector or an image. */
export type ModalityKind = 'vector' | 'image' | 'audio';

/** Every problem a user's data can have. Codes are stable: hosts and tests key on them. */
export type DatasetIssueCode =
  | 'not-a-folder'
  | 'no-manifest'
  | 'manifest-not-text'
  | 'manifest-empty'
  | 'manifest-parse'
  | 'wrong-field-count'
  | 'missing-label'
  | 'bad-split'
  | 'duplicate-id'
  | 'bad-column'
  | 'non-numeric'
  | 'non-finite'
  | 'vector-length'
  | 'missing-file'
  | 'unreadable-file'
  | 'file-too-large'
  | 'output-inside-dataset'
  | 'path-outside'
  | 'unknown-extension'
  | 'mixed-kinds'
  | 'corrupt-image'
  | 'corrupt-audio'
  | 'corrupt-array'
  | 'corrupt-json'
  | 'shape-mismatch'
  | 'too-few-modalities'
  | 'too-few-classes'
  | 'too-many-classes'
  | 'unseen-label'
  | 'empty-split'
  | 'layout-unpaired'
  | 'bad-options'
  | 'resized'
  | 'audio-length'
  | 'channels'
  | 'tiny-class';

export interface DatasetIssue {
  code: DatasetIssueCode;
  /** One sentence or three: what was found, what was expected, where, and how to fix it. */
  message: string;
  /** The file at fault, relative to the dataset folder. */
  file?: string;
  /** 1-based line of the manifest (CSV lines count the header as line 1). */
  row?: number;
  sampleId?: string;
  column?: string;
}

export interface ModalitySummary {
  name: string;
  kind: ModalityKind;
  /** Per-sample shape after decoding: `[features]` for vectors, `[height, width, channels]` otherwise. */
  shape: number[];
  /** Where the values come from: manifest columns, files (with their extension), or inline JSONL arrays. */
  source: 'columns' | 'files' | 'inline';
  extensions?: string[];
}

export interface SplitCounts {
  train: number;
  val: number;
  test: number;
}

/** How the train/val/test assignment was obtained (it is recorded with every run). */
export type SplitRule = 'manifest' | 'stratified-70-10-20' | 'val-from-train-1/8';

export interface ValidationReport {
  ok: boolean;
  /** The dataset folder, absolute. */
  path: string;
  name: string;
  format: 'csv' | 'jsonl' | 'layout' | 'unknown';
  samples: number;
  classes: string[];
  modalities: ModalitySummary[];
  splits: SplitCounts;
  splitRule?: SplitRule;
  /** Samples per class and split, for previews: `classCounts[class][split]`. */
  classCounts?: Record<string, SplitCounts>;
  fingerprint?: string;
  errors: DatasetIssue[];
  /** How many errors there were in all; `errors` holds at most the first 50. */
  errorCount: number;
  warnings: DatasetIssue[];
  warningCount: number;
  /**
   * Every sample an error names (all of them, not only the first 50), and how many errors name no sample
   * (a file-level problem): when that is 0 the user may leave these samples out and go on.
   */
  failingSamples?: string[];
  unattributedErrors?: number;
  /** Samples left out at the user's request, each with the first problem it had (or why else it was left out). */
  leftOut?: LeftOutSample[];
}

/** A sample the user chose to leave out of a run, and why (recorded with the run). */
export interface LeftOutSample {
  sampleId: string;
  reason: string;
}

/** One decoded sample drawn as a picture: an image as it is, audio as its log-mel spectrogram. */
export interface PreviewPicture {
  sampleId: string;
  label: string;
  split: Split;
  /** `data:image/png;base64,…`, at least 64 px on its shorter side. */
  dataUrl: string;
  /** Audio: the sample's own file as a data URL, to play beside its spectrogram (absent when too large to send). */
  audioUrl?: string;
}

/** Statistics of one vector feature over the training split, in the data's own units. */
export interface FeatureStats {
  feature: number;
  /** The CSV column's name; `#N` where the data has none (.npy vectors, JSONL arrays). */
  name: string;
  /** One value on the whole training split: the feature tells the classes nothing. */
  constant: boolean;
  /** Not constant, but one value takes at least {@link NEAR_CONSTANT_SHARE} of the training split. */
  nearConstant: boolean;
  /** The share of training rows holding the most common value. */
  topShare: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface ModalityPreview {
  name: string;
  kind: ModalityKind;
  shape: number[];
  /** Images and audio: a few samples of every class (up to {@link PREVIEW_CLASSES} classes), grouped by class. */
  pictures: PreviewPicture[];
  /** How many classes the pictures cover, of how many. */
  classesShown?: { shown: number; total: number };
  /**
   * Vectors: statistics of the flagged features (constant, near-constant) and then the first ones, at most
   * {@link PREVIEW_FEATURES} in all; `features` says how many there are, `constant`/`nearConstant` name all flagged.
   */
  stats?: { features: number; shown: FeatureStats[]; constant: string[]; nearConstant: string[]; rows: number };
}

/** The data check's limits: pictures per class, classes with pictures, feature rows shown. */
export const PREVIEW_PER_CLASS = 3;
export const PREVIEW_CLASSES = 30;
export const PREVIEW_FEATURES = 16;
/** A feature whose most common value covers this share of the training split is flagged near-constant. */
export const NEAR_CONSTANT_SHARE = 0.95;

/** `dataset:preview`: what the wizard shows of a valid dataset before training. */
export interface DatasetPreview {
  path: string;
  modalities: ModalityPreview[];
}

/** A dataset that ships with the app (`datasets:list`). */
export interface BuiltinDatasetInfo {
  name: string;
  description: string;
}

/** How far preparing a dataset has got: headers checked, then samples decoded, `done` of `total` samples. */
export interface PrepareProgress {
  phase: 'checking' | 'decoding';
  done: number;
  total: number;
}

/**
 * Rate and time left of a phase that has done `done` of `total` in `elapsedMs`: null until there is enough
 * to go on (a few percent, or half a second), so that no wild guess flashes up.
 */
export function progressRate(
  done: number,
  total: number,
  elapsedMs: number,
): { perSecond: number; secondsLeft: number } | null {
  if (done <= 0 || elapsedMs < 500 || done < Math.min(total, 20)) return null;
  const perSecond = (done * 1000) / elapsedMs;
  return { perSecond, secondsLeft: Math.max(0, (total - done) / perSecond) };
}
