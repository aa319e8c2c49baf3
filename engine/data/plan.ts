import type { ModalityKind } from '../protocol/dataset';
import { frameCount, PAPER_LOG_MEL, type LogMelOptions } from './audio/log-mel';
import type { ModalityOptions } from './dataset-options';
import type { IssueLog } from './issues';
import type { ModalityDeclaration } from './manifest/types';
import type { CellProbe } from './probe';

/** How every sample of one modality is decoded into the same per-sample shape. */
export type DecodeRule =
  | { type: 'vector' }
  | { type: 'npy' }
  | { type: 'image'; height: number; width: number; channels: 1 | 3 }
  | { type: 'audio'; clipSamples: number; logMel: LogMelOptions };

export interface ModalityPlan {
  name: string;
  source: ModalityDeclaration['source'];
  extensions: string[];
  kind: ModalityKind;
  /** Per-sample shape after decoding: `[features]` or `[height, width, channels]`. */
  shape: number[];
  rule: DecodeRule;
  /** Vectors from CSV columns: the column names, in feature order (the data check shows them). */
  featureNames?: string[];
}

/** Paper A.1 crops or tiles audio to a fixed 10 s; shorter datasets use their median clip length. */
const MAX_CLIP_SECONDS = 10;

export interface ProbedCell {
  sampleIndex: number;
  /** For messages: `Sample "id" (manifest.csv line 3)` and the file, if any. */
  where: string;
  sampleId: string;
  file?: string;
  row?: number;
  probe: CellProbe;
}

/**
 * Chooses one decoding rule per modality from what the headers said, and reports every sample that does
 * not fit it (other kind, other vector length, other array shape). Returns the plan and the indexes of
 * samples that must be left out.
 */
export function planModality(
  declaration: ModalityDeclaration,
  cells: ProbedCell[],
  extensions: string[],
  options: ModalityOptions,
  log: IssueLog,
): { plan: ModalityPlan | null; rejected: Set<number> } {
  const rejected = new Set<number>();
  const name = declaration.name;
  const kindOf = (probe: CellProbe) => (probe.kind === 'array' ? `array${probe.shape.length}` : probe.kind);
  const kind = majority(cells.map((c) => kindOf(c.probe)));
  if (kind === undefined) return { plan: null, rejected };
  const reject = (cell: ProbedCell, code: 'mixed-kinds' | 'vector-length' | 'shape-mismatch', message: string) => {
    rejected.add(cell.sampleIndex);
    log.error({
      code,
      file: cell.file,
      row: cell.row,
      sampleId: cell.sampleId,
      column: name,
      message: `${cell.where}: ${message}`,
    });
  };
  const fitting = cells.filter((cell) => {
    if (kindOf(cell.probe) === kind) return true;
    reject(
      cell,
      'mixed-kinds',
      `modality "${name}" is ${describeKind(kindOf(cell.probe))} here, but most samples give ${describeKind(kind)}; one modality must hold one kind of data.`,
    );
    return false;
  });
  const base = { name, source: declaration.source, extensions };
  const first = fitting[0]?.probe;
  switch (first?.kind) {
    case 'vector': {
      const lengths = fitting.map((c) => (c.probe.kind === 'vector' ? c.probe.length : 0));
      const length = majority(lengths) ?? 0;
      fitting.forEach((cell, i) => {
        if (lengths[i] !== length)
          reject(
            cell,
            'vector-length',
            `modality "${name}" has ${lengths[i]} values, but most samples have ${length}; every vector of one modality must have the same length.`,
          );
      });
      const featureNames = declaration.columns?.length === length ? { featureNames: declaration.columns } : {};
      return {
        plan: { ...base, kind: 'vector', shape: [length], rule: { type: 'vector' }, ...featureNames },
        rejected,
      };
    }
    case 'array': {
      const keys = fitting.map((c) => (c.probe.kind === 'array' ? c.probe.shape.join('x') : ''));
      const key = majority(keys) ?? '';
      fitting.forEach((cell, i) => {
        if (keys[i] !== key)
          reject(
            cell,
            'shape-mismatch',
            `${cell.file} has shape [${keys[i]?.split('x').join(', ')}], but most arrays of modality "${name}" have [${key.split('x').join(', ')}]; arrays of one modality must have one shape.`,
          );
      });
      const shape = key.split('x').map(Number);
      if (shape.length < 1 || shape.length > 3 || shape.some((n) => n === 0)) {
        fitting.forEach((cell) =>
          reject(
            cell,
            'shape-mismatch',
            `${cell.file} has shape [${shape.join(', ')}]; expected a non-empty array of 1 dimension (a vector), 2 (a one-channel image) or 3 (height, width, channels).`,
          ),
        );
        return { plan: null, rejected };
      }
      const decoded = shape.length === 1 ? shape : shape.length === 2 ? [...shape, 1] : shape;
      return {
        plan: { ...base, kind: shape.length === 1 ? 'vector' : 'image', shape: decoded, rule: { type: 'npy' } },
        rejected,
      };
    }
    case 'image':
      return { plan: planImages(base, fitting, options, log), rejected };
    case 'audio':
      return { plan: planAudio(base, fitting, options, log), rejected };
    default:
      return { plan: null, rejected };
  }
}

function planImages(
  base: Pick<ModalityPlan, 'name' | 'source' | 'extensions'>,
  cells: ProbedCell[],
  options: ModalityOptions,
  log: IssueLog,
): ModalityPlan {
  const sizes = cells.map((c) => (c.probe.kind === 'image' ? `${c.probe.height}x${c.probe.width}` : ''));
  const [commonHeight = 1, commonWidth = 1] = (majority(sizes) ?? '1x1').split('x').map(Number);
  const height = options.height ?? commonHeight;
  const width = options.width ?? commonWidth;
  const channels = options.channels ?? (cells.some((c) => c.probe.kind === 'image' && c.probe.channels === 3) ? 3 : 1);
  const resized = cells.filter((_, i) => sizes[i] !== `${height}x${width}`);
  if (resized.length > 0) {
    const example = resized[0];
    log.warn({
      code: 'resized',
      column: base.name,
      file: example?.file,
      message: `Modality "${base.name}": ${resized.length} of ${cells.length} images are not ${height}x${width} (e.g. ${example?.file} is ${sizes[cells.indexOf(example as ProbedCell)]}) and will be resized to it${options.height ? ' (as dataset.json asks)' : ', the most common size'}. Set "height" and "width" for "${base.name}" in dataset.json to choose another size.`,
    });
  }
  return { ...base, kind: 'image', shape: [height, width, channels], rule: { type: 'image', height, width, channels } };
}

function planAudio(
  base: Pick<ModalityPlan, 'name' | 'source' | 'extensions'>,
  cells: ProbedCell[],
  options: ModalityOptions,
  log: IssueLog,
): ModalityPlan {
  const logMel: LogMelOptions = {
    ...PAPER_LOG_MEL,
    sampleRate: options.sampleRate ?? PAPER_LOG_MEL.sampleRate,
    melBands: options.melBands ?? PAPER_LOG_MEL.melBands,
  };
  const lengths = cells.map((c) =>
    c.probe.kind === 'audio' ? Math.round((c.probe.frames * logMel.sampleRate) / c.probe.sampleRate) : 0,
  );
  const sorted = [...lengths].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? logMel.sampleRate;
  const clipSamples = options.clipSeconds
    ? Math.round(options.clipSeconds * logMel.sampleRate)
    : Math.min(median, MAX_CLIP_SECONDS * logMel.sampleRate);
  const changed = lengths.filter((n) => n !== clipSamples).length;
  if (changed > 0) {
    log.warn({
      code: 'audio-length',
      column: base.name,
      message: `Modality "${base.name}": ${changed} of ${cells.length} clips are not ${(clipSamples / logMel.sampleRate).toFixed(2)} s long and will be cropped or tiled to it (${options.clipSeconds ? 'as dataset.json asks' : 'the median length, at most 10 s'}). Set "clipSeconds" for "${base.name}" in dataset.json to choose another length.`,
    });
  }
  return {
    ...base,
    kind: 'audio',
    shape: [logMel.melBands, frameCount(clipSamples, logMel), 1],
    rule: { type: 'audio', clipSamples, logMel },
  };
}

function describeKind(kind: string): string {
  if (kind.startsWith('array')) return `a ${kind.slice(5)}-D array`;
  return kind === 'vector' ? 'a vector' : kind === 'image' ? 'an image' : 'an audio clip';
}

/** The most frequent value (the first one seen wins a tie), or undefined for an empty list. */
export function majority<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  let best: T | undefined;
  let bestCount = 0;
  for (const value of values) {
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
