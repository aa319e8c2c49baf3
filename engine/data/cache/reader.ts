import fs from 'node:fs';
import path from 'node:path';
import { sampleSize } from '../decode';
import type { CacheMeta } from './meta';
import { applyNormalization } from './normalize';

/**
 * Reads decoded samples back from a cache folder in batches, a few file reads per batch, so memory stays
 * the size of a batch however large the dataset is. Values come back standardised with the training split's
 * statistics (vectors and audio; images stay in [0, 1]).
 */
export class CacheReader {
  private readonly fds: number[];

  constructor(
    readonly dir: string,
    readonly meta: CacheMeta,
  ) {
    this.fds = meta.modalities.map((m) => fs.openSync(path.join(dir, m.file), 'r'));
  }

  static open(dir: string): CacheReader {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    return new CacheReader(dir, meta);
  }

  /**
   * One modality's values for `indices` (manifest order), as `[indices.length, ...shape]` flattened.
   * Consecutive indices are read with one call.
   */
  read(modalityIndex: number, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
    const modality = this.meta.modalities[modalityIndex];
    const fd = this.fds[modalityIndex];
    if (!modality || fd === undefined)
      throw new RangeError(`No modality ${modalityIndex}; the dataset has ${this.meta.modalities.length}.`);
    const size = sampleSize(modality);
    const result = out ?? new Float32Array(indices.length * size);
    const bytes = new Uint8Array(result.buffer, result.byteOffset, indices.length * size * 4);
    let start = 0;
    while (start < indices.length) {
      let end = start + 1;
      while (end < indices.length && indices[end] === (indices[end - 1] ?? 0) + 1) end += 1;
      const first = indices[start] ?? 0;
      if (first < 0 || first + (end - start) > this.meta.sampleIds.length)
        throw new RangeError(`Sample index ${first} is outside the dataset (0..${this.meta.sampleIds.length - 1}).`);
      const length = (end - start) * size * 4;
      const read = fs.readSync(fd, bytes, start * size * 4, length, first * size * 4);
      if (read !== length)
        throw new Error(
          `Cache file ${path.join(this.dir, modality.file)} is shorter than its meta.json says; delete the folder to rebuild it.`,
        );
      start = end;
    }
    applyNormalization(result.subarray(0, indices.length * size), modality.normalization);
    return result;
  }

  close(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }
}
