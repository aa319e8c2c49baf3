import path from 'node:path';
import sharp from 'sharp';
import {
  NEAR_CONSTANT_SHARE,
  PREVIEW_CLASSES,
  PREVIEW_FEATURES,
  PREVIEW_PER_CLASS,
  type DatasetPreview,
  type FeatureStats,
  type ModalityPreview,
  type PreviewPicture,
} from '../protocol/dataset';
import type { CacheMeta, CachedModality } from './cache/meta';
import type { CacheReader } from './cache/reader';
import { readDatasetFile } from './dataset-file';
import { confinePath } from './paths';
import { sampleSize } from './decode';
import { IssueLog } from './issues';
import { readManifest } from './manifest/read';

/** Enough rows for stable statistics without reading a large dataset whole. */
const STATS_ROWS = 2000;
const MIN_PICTURE_PX = 64;
/** A clip larger than this is not sent to the page to be played (10 s of 16-bit stereo 44.1 kHz is 1.7 MB). */
const MAX_AUDIO_BYTES = 4 * 1024 * 1024;

/**
 * What the wizard shows of a prepared dataset: a few samples of every class per picture modality (audio with
 * its own file to play), statistics of vectors by column name with constant and near-constant features flagged.
 * Reads the dataset folder (its manifest and audio files) and never writes to it.
 */
export async function previewDataset(reader: CacheReader): Promise<DatasetPreview> {
  const { meta } = reader;
  const picked = pickSamples(meta, PREVIEW_PER_CLASS, PREVIEW_CLASSES);
  const classesShown = { shown: Math.min(meta.classes.length, PREVIEW_CLASSES), total: meta.classes.length };
  const modalities: ModalityPreview[] = [];
  for (const [index, modality] of meta.modalities.entries()) {
    const base = { name: modality.name, kind: modality.kind, shape: modality.shape };
    if (modality.kind === 'vector')
      modalities.push({ ...base, pictures: [], stats: vectorStats(reader, index, modality) });
    else {
      const audio = modality.kind === 'audio' ? audioFiles(meta, modality.name, picked) : null;
      modalities.push({ ...base, pictures: await pictures(reader, index, modality, picked, audio), classesShown });
    }
  }
  return { path: meta.root, modalities };
}

/** `perClass` samples of each of the first `maxClasses` classes (training split first), grouped by class. */
function pickSamples(meta: CacheMeta, perClass: number, maxClasses: number): number[] {
  return meta.classes.slice(0, maxClasses).flatMap((_, c) =>
    meta.labels
      .flatMap((label, i) => (label === c ? [i] : []))
      .sort((a, b) => Number(meta.splits[a] !== 'train') - Number(meta.splits[b] !== 'train'))
      .slice(0, perClass),
  );
}

/**
 * The picked samples' audio files, as data URLs, by sample index: the manifest is read again (the cache keeps
 * decoded values, not paths), each file confined to the folder; a file that is missing or too large is skipped.
 */
function audioFiles(meta: CacheMeta, modality: string, picked: number[]): Map<number, string> {
  const urls = new Map<number, string>();
  let cells: Map<string, string>;
  try {
    const manifest = readManifest(meta.root, { requireLabels: true }, new IssueLog());
    cells = new Map(
      manifest.samples.flatMap((s) => {
        const cell = s.cells.get(modality);
        return cell?.type === 'file' ? [[s.id, cell.path] as [string, string]] : [];
      }),
    );
  } catch {
    return urls;
  }
  for (const sample of picked) {
    const relative = cells.get(meta.sampleIds[sample] ?? '');
    if (!relative || path.extname(relative).toLowerCase() !== '.wav') continue;
    const confined = confinePath(meta.root, relative);
    if (!confined.ok) continue;
    try {
      urls.set(
        sample,
        `data:audio/wav;base64,${readDatasetFile(confined.absolute, relative, MAX_AUDIO_BYTES).toString('base64')}`,
      );
    } catch {
      // Too large or gone since the check: the spectrogram is shown without a play button.
    }
  }
  return urls;
}

async function pictures(
  reader: CacheReader,
  index: number,
  modality: CachedModality,
  picked: number[],
  audio: Map<number, string> | null,
): Promise<PreviewPicture[]> {
  const [height = 1, width = 1, channels = 1] = modality.shape;
  const size = sampleSize(modality);
  const values = reader.read(index, picked);
  return Promise.all(
    picked.map(async (sample, row) => {
      const pixels = values.subarray(row * size, (row + 1) * size);
      const rgb = modality.kind === 'audio' ? spectrogramColours(pixels, height, width) : toBytes(pixels);
      const scale = Math.max(1, Math.ceil(MIN_PICTURE_PX / Math.min(height, width)));
      const png = await sharp(Buffer.from(rgb), {
        raw: { width, height, channels: modality.kind === 'audio' ? 3 : (channels as 1 | 3) },
      })
        .resize(width * scale, height * scale, { kernel: 'nearest' })
        .png()
        .toBuffer();
      return {
        sampleId: reader.meta.sampleIds[sample] ?? String(sample),
        label: reader.meta.classes[reader.meta.labels[sample] ?? 0] ?? '',
        split: reader.meta.splits[sample] ?? 'train',
        dataUrl: `data:image/png;base64,${png.toString('base64')}`,
        ...(audio?.has(sample) ? { audioUrl: audio.get(sample) } : {}),
      };
    }),
  );
}

/** Images are cached in [0, 1]. */
function toBytes(pixels: Float32Array): Uint8Array {
  return Uint8Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** A log-mel `[melBands, frames]` drawn low frequencies at the bottom, scaled to its own range, in a dark-to-yellow map. */
function spectrogramColours(values: Float32Array, bands: number, frames: number): Uint8Array {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const span = high - low || 1;
  const out = new Uint8Array(bands * frames * 3);
  for (let band = 0; band < bands; band += 1) {
    for (let frame = 0; frame < frames; frame += 1) {
      const t = ((values[band * frames + frame] ?? low) - low) / span;
      const at = ((bands - 1 - band) * frames + frame) * 3;
      out.set(colour(t), at);
    }
  }
  return out;
}

/** Five stops of a perceptually ordered map (viridis-like), linearly interpolated. */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
] as const;
function colour(t: number): [number, number, number] {
  const x = Math.min(0.9999, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const a = STOPS[i] ?? STOPS[0];
  const b = STOPS[i + 1] ?? a;
  return [0, 1, 2].map((c) => Math.round(a[c as 0] + (b[c as 0] - a[c as 0]) * f)) as [number, number, number];
}

/**
 * Statistics in the data's own units (the cache hands out standardised values, so that is undone first), for
 * every feature, named by its column; constant and near-constant features (paper-independent hygiene: they
 * carry no or almost no information) are flagged and listed first.
 */
function vectorStats(
  reader: CacheReader,
  index: number,
  modality: CachedModality,
): NonNullable<ModalityPreview['stats']> {
  const features = sampleSize(modality);
  const rows = reader.meta.splits.flatMap((split, i) => (split === 'train' ? [i] : [])).slice(0, STATS_ROWS);
  const values = reader.read(index, rows);
  const all: FeatureStats[] = [];
  for (let f = 0; f < features; f += 1) {
    const mean = modality.normalization?.mean[f] ?? 0;
    const std = modality.normalization?.std[f] ?? 1;
    let sum = 0;
    let sumSquares = 0;
    let min = Infinity;
    let max = -Infinity;
    const counts = new Map<number, number>();
    for (let r = 0; r < rows.length; r += 1) {
      const raw = (values[r * features + f] ?? 0) * std + mean;
      sum += raw;
      sumSquares += raw * raw;
      min = Math.min(min, raw);
      max = Math.max(max, raw);
      // float32 round trips: equal inputs give equal values, compared at 6 significant digits.
      const key = Number(raw.toPrecision(6));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const n = Math.max(1, rows.length);
    const average = sum / n;
    const topShare = Math.max(0, ...counts.values()) / n;
    const constant = counts.size <= 1;
    // float32 standardisation leaves ~1e-7 relative noise (0 read back as 1e-9): shown at 6 significant digits, near-zero as 0.
    const scale = Math.max(Math.abs(min), Math.abs(max));
    const clean = (v: number) => (Math.abs(v) <= 1e-5 * scale ? 0 : Number(v.toPrecision(6)));
    all.push({
      feature: f + 1,
      name: modality.featureNames?.[f] ?? `#${f + 1}`,
      mean: clean(average),
      std: constant ? 0 : clean(Math.sqrt(Math.max(0, sumSquares / n - average * average))),
      min: clean(min),
      max: clean(max),
      constant,
      nearConstant: !constant && topShare >= NEAR_CONSTANT_SHARE,
      topShare,
    });
  }
  const flagged = all.filter((s) => s.constant || s.nearConstant);
  const shown = [...flagged, ...all.filter((s) => !s.constant && !s.nearConstant)].slice(
    0,
    Math.max(PREVIEW_FEATURES, Math.min(flagged.length, 64)),
  );
  return {
    features,
    shown,
    constant: all.filter((s) => s.constant).map((s) => s.name),
    nearConstant: all.filter((s) => s.nearConstant).map((s) => s.name),
    rows: rows.length,
  };
}
