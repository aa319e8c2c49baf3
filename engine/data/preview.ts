import sharp from 'sharp';
import type { DatasetPreview, FeatureStats, ModalityPreview, PreviewPicture } from '../protocol/dataset';
import type { CacheMeta, CachedModality } from './cache/meta';
import type { CacheReader } from './cache/reader';
import { sampleSize } from './decode';

const PICTURES_PER_MODALITY = 8;
const STATS_FEATURES = 16;
/** Enough rows for stable statistics without reading a large dataset whole. */
const STATS_ROWS = 2000;
const MIN_PICTURE_PX = 64;

/** What the wizard shows of a prepared dataset: a few samples per picture modality, statistics of vectors. */
export async function previewDataset(reader: CacheReader): Promise<DatasetPreview> {
  const { meta } = reader;
  const picked = pickSamples(meta, PICTURES_PER_MODALITY);
  const modalities: ModalityPreview[] = [];
  for (const [index, modality] of meta.modalities.entries()) {
    const base = { name: modality.name, kind: modality.kind, shape: modality.shape };
    if (modality.kind === 'vector') modalities.push({ ...base, pictures: [], stats: vectorStats(reader, index, modality) });
    else modalities.push({ ...base, pictures: await pictures(reader, index, modality, picked) });
  }
  return { path: meta.root, modalities };
}

/** Samples taken round-robin over the classes (training split first), so every class shows up. */
function pickSamples(meta: CacheMeta, count: number): number[] {
  const byClass = meta.classes.map((_, c) => meta.labels.flatMap((label, i) => (label === c ? [i] : [])).sort((a, b) => Number(meta.splits[a] !== 'train') - Number(meta.splits[b] !== 'train')));
  const picked: number[] = [];
  for (let round = 0; picked.length < count && byClass.some((list) => list.length > round); round += 1) {
    for (const list of byClass) {
      const index = list[round];
      if (index !== undefined && picked.length < count) picked.push(index);
    }
  }
  return picked;
}

async function pictures(reader: CacheReader, index: number, modality: CachedModality, picked: number[]): Promise<PreviewPicture[]> {
  const [height = 1, width = 1, channels = 1] = modality.shape;
  const size = sampleSize(modality);
  const values = reader.read(index, picked);
  return Promise.all(picked.map(async (sample, row) => {
    const pixels = values.subarray(row * size, (row + 1) * size);
    const rgb = modality.kind === 'audio' ? spectrogramColours(pixels, height, width) : toBytes(pixels);
    const scale = Math.max(1, Math.ceil(MIN_PICTURE_PX / Math.min(height, width)));
    const png = await sharp(Buffer.from(rgb), { raw: { width, height, channels: modality.kind === 'audio' ? 3 : (channels as 1 | 3) } })
      .resize(width * scale, height * scale, { kernel: 'nearest' })
      .png()
      .toBuffer();
    return {
      sampleId: reader.meta.sampleIds[sample] ?? String(sample),
      label: reader.meta.classes[reader.meta.labels[sample] ?? 0] ?? '',
      split: reader.meta.splits[sample] ?? 'train',
      dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    };
  }));
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
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]] as const;
function colour(t: number): [number, number, number] {
  const x = Math.min(0.9999, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const a = STOPS[i] ?? STOPS[0];
  const b = STOPS[i + 1] ?? a;
  return [0, 1, 2].map((c) => Math.round(a[c as 0] + (b[c as 0] - a[c as 0]) * f)) as [number, number, number];
}

/** Statistics in the data's own units: the cache hands out standardised values, so undo that first. */
function vectorStats(reader: CacheReader, index: number, modality: CachedModality): { features: number; shown: FeatureStats[] } {
  const features = sampleSize(modality);
  const rows = reader.meta.splits.flatMap((split, i) => (split === 'train' ? [i] : [])).slice(0, STATS_ROWS);
  const values = reader.read(index, rows);
  const shown = Math.min(features, STATS_FEATURES);
  const stats: FeatureStats[] = [];
  for (let f = 0; f < shown; f += 1) {
    const mean = modality.normalization?.mean[f] ?? 0;
    const std = modality.normalization?.std[f] ?? 1;
    let sum = 0;
    let sumSquares = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < rows.length; r += 1) {
      const raw = (values[r * features + f] ?? 0) * std + mean;
      sum += raw;
      sumSquares += raw * raw;
      min = Math.min(min, raw);
      max = Math.max(max, raw);
    }
    const n = Math.max(1, rows.length);
    const average = sum / n;
    stats.push({ feature: f + 1, mean: average, std: Math.sqrt(Math.max(0, sumSquares / n - average * average)), min, max });
  }
  return { features, shown: stats };
}
