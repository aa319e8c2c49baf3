import { fitClip, logMelSpectrogram } from './audio/log-mel';
import { decodeImage } from './formats/image';
import { decodeJsonVector } from './formats/json-vector';
import { decodeNpy } from './formats/npy';
import { decodeWavMono } from './formats/wav';
import type { Cell } from './manifest/types';
import type { ModalityPlan } from './plan';
import { readBytes, type LocatedFile } from './probe';

/** Per-sample float count of a plan's shape. */
export function sampleSize(plan: Pick<ModalityPlan, 'shape'>): number {
  return plan.shape.reduce((a, b) => a * b, 1);
}

/**
 * Decodes one cell to `plan.shape`, flattened row-major: vectors as they are, images HWC in [0, 1],
 * audio as a log-mel image `[melBands, frames, 1]`. Throws on data that does not decode; the caller turns
 * that into an issue naming the file.
 */
export async function decodeCell(cell: Cell, file: LocatedFile | undefined, plan: ModalityPlan): Promise<Float32Array> {
  if (cell.type === 'numbers') return checkedFinite(Float32Array.from(cell.values), 'value');
  if (!file) throw new Error('decodeCell: a file cell needs its located file');
  const bytes = readBytes(file);
  const rule = plan.rule;
  switch (rule.type) {
    case 'vector':
      return checkedFinite(decodeJsonVector(bytes), 'entry');
    case 'npy':
      return checkedFinite(decodeNpy(bytes).data, 'value');
    case 'image':
      return checkedFinite(await decodeImage(bytes, rule.height, rule.width, rule.channels), 'pixel value');
    case 'audio': {
      // A float WAV may hold NaN or infinite samples; one of them turns its whole spectrogram into NaN.
      const clip = fitClip(
        checkedFinite(decodeWavMono(bytes, rule.logMel.sampleRate), 'audio sample'),
        rule.clipSamples,
      );
      return checkedFinite(logMelSpectrogram(clip, rule.logMel), 'spectrogram value');
    }
  }
}

/**
 * `values` when every one is finite as stored (float32), else an error naming the first that is not. Every
 * decoder checks its own input; this is the last guard before the cache, since one NaN or Infinity in a
 * modality makes its training-split mean NaN and the teacher train at chance without a word.
 */
function checkedFinite(values: Float32Array, what: string): Float32Array {
  for (let i = 0; i < values.length; i += 1) {
    if (!Number.isFinite(values[i]))
      throw new Error(
        `${what} ${i} is ${values[i]} as a 32-bit float; every value must be a finite number within ±3.4e38`,
      );
  }
  return values;
}
