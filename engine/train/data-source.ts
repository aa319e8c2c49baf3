import * as tf from '@tensorflow/tfjs';
import type { CacheReader } from '../data/cache/reader';

/** Gives a model its input tensors for a batch of sample indices (indices into the whole dataset). */
export interface DataSource {
  /** One tensor per model input, `[indices.length, ...shape]`. The caller disposes them. */
  inputs(indices: number[]): tf.Tensor[];
  /** The same values as host arrays, row-major (the compiled WebGPU step writes them to its own buffers). */
  arrays?(indices: number[]): Float32Array[];
}

/** Decoded samples from the preprocessing cache, read batch by batch. */
export class CacheSource implements DataSource {
  constructor(
    private readonly reader: CacheReader,
    private readonly modalityIndexes: number[],
  ) {}

  inputs(indices: number[]): tf.Tensor[] {
    return this.modalityIndexes.map((m) => {
      const shape = this.reader.meta.modalities[m]?.shape ?? [];
      return tf.tensor(this.reader.read(m, indices), [indices.length, ...shape], 'float32');
    });
  }

  arrays(indices: number[]): Float32Array[] {
    return this.modalityIndexes.map((m) => this.reader.read(m, indices));
  }
}

/** In-memory inputs, like the cache's batches: a Float32Array per modality (`[samples, ...shape]` row-major), gathered per batch. */
export class MemorySource implements DataSource {
  constructor(
    private readonly data: Float32Array[],
    private readonly shapes: number[][],
  ) {}
  arrays(indices: number[]): Float32Array[] {
    return this.data.map((values, m) => {
      const size = (this.shapes[m] ?? []).reduce((a, b) => a * b, 1);
      const out = new Float32Array(indices.length * size);
      indices.forEach((index, row) => out.set(values.subarray(index * size, (index + 1) * size), row * size));
      return out;
    });
  }

  inputs(indices: number[]): tf.Tensor[] {
    return this.arrays(indices).map((values, m) => tf.tensor(values, [indices.length, ...(this.shapes[m] ?? [])]));
  }
}

/** Fixed features held in memory, `[samples, dim]` row-major: the frozen encoders' outputs. */
export class FeatureSource implements DataSource {
  constructor(
    readonly features: Float32Array,
    readonly dim: number,
  ) {}

  inputs(indices: number[]): tf.Tensor[] {
    return [tf.tensor2d(this.rows(indices), [indices.length, this.dim])];
  }

  arrays(indices: number[]): Float32Array[] {
    return [this.rows(indices)];
  }

  rows(indices: number[]): Float32Array {
    const out = new Float32Array(indices.length * this.dim);
    indices.forEach((index, row) =>
      out.set(this.features.subarray(index * this.dim, (index + 1) * this.dim), row * this.dim),
    );
    return out;
  }
}

/** Concatenates per-sample feature rows of several modalities: `[samples, Σ dims]`. */
export function concatFeatures(parts: FeatureSource[], samples: number): FeatureSource {
  const dim = parts.reduce((s, p) => s + p.dim, 0);
  const out = new Float32Array(samples * dim);
  for (let i = 0; i < samples; i += 1) {
    let offset = i * dim;
    for (const part of parts) {
      out.set(part.features.subarray(i * part.dim, (i + 1) * part.dim), offset);
      offset += part.dim;
    }
  }
  return new FeatureSource(out, dim);
}
