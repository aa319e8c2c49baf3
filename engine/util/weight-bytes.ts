/** Bytes per value of the dtypes a tfjs weights manifest can hold. */
export const WEIGHT_DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Bytes the tensors of a tfjs weights manifest take (model.json's `weightsManifest`, a checkpoint's specs):
 * NaN when a spec has no shape or an unknown dtype; a spec without dtype counts as `defaultDtype` when given.
 */
export function weightSpecBytes(specs: { shape?: unknown; dtype?: string }[], defaultDtype?: string): number {
  return specs.reduce((sum, spec) => {
    const values = Array.isArray(spec?.shape) ? (spec.shape as number[]).reduce((a, b) => a * b, 1) : NaN;
    return sum + values * (WEIGHT_DTYPE_BYTES[spec?.dtype ?? defaultDtype ?? ''] ?? NaN);
  }, 0);
}
