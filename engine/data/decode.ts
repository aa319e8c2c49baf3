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
  if (cell.type === 'numbers') return Float32Array.from(cell.values);
  if (!file) throw new Error('decodeCell: a file cell needs its located file');
  const bytes = readBytes(file);
  const rule = plan.rule;
  switch (rule.type) {
    case 'vector':
      return decodeJsonVector(bytes);
    case 'npy':
      return decodeNpy(bytes).data;
    case 'image':
      return decodeImage(bytes, rule.height, rule.width, rule.channels);
    case 'audio': {
      const clip = fitClip(decodeWavMono(bytes, rule.logMel.sampleRate), rule.clipSamples);
      return logMelSpectrogram(clip, rule.logMel);
    }
  }
}
