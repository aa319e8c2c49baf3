import type { Normalization } from './meta';

/** Standardises decoded values in place with train-split statistics (per feature, or one scalar). */
export function applyNormalization(values: Float32Array, normalization: Normalization | null): void {
  if (!normalization) return;
  const width = normalization.mean.length;
  for (let i = 0; i < values.length; i += 1) {
    const j = width === 1 ? 0 : i % width;
    values[i] = ((values[i] ?? 0) - (normalization.mean[j] ?? 0)) / (normalization.std[j] ?? 1);
  }
}
