import type { Split } from '../../protocol/dataset';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export type ParsedNumber =
  { ok: true; value: number } | { ok: false; reason: 'empty' | 'non-finite' | 'non-numeric' | 'beyond-float32' };

/**
 * The largest 32-bit float. The engine stores and computes in float32, so a value beyond it (3e39 is finite
 * as a double) becomes Infinity there and ruins its whole modality: the normalisation's mean turns NaN.
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True for a number that is finite as a 32-bit float. */
export function isFloat32Finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= FLOAT32_MAX;
}

/** Why `value` cannot be stored, in words for a message ("… is 3e+39; <this>"). */
export function float32Expectation(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? 'expected a number within ±3.4e38, the range of the 32-bit floats the model computes in (rescale the feature)'
    : 'expected a finite number';
}

/** Parses a manifest cell as a decimal number; hex, blanks, NaN and infinities are refused with the reason. */
export function parseNumberCell(text: string): ParsedNumber {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (NON_FINITE.test(trimmed)) return { ok: false, reason: 'non-finite' };
  if (!DECIMAL.test(trimmed)) return { ok: false, reason: 'non-numeric' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, reason: 'non-finite' };
  if (!isFloat32Finite(value)) return { ok: false, reason: 'beyond-float32' };
  return { ok: true, value };
}

export function parseSplitCell(text: string): Split | null | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return null;
  if (trimmed === 'train' || trimmed === 'val' || trimmed === 'test') return trimmed;
  return undefined;
}

/** A cell that names a file: it has an extension and is not a number. */
export function looksLikePath(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && !DECIMAL.test(trimmed) && /\.[A-Za-z0-9]+$/.test(trimmed);
}

/**
 * Why a modality name cannot be used, or null. Names become keys of report and model-card objects, and
 * `__proto__` cannot be one: assigning it replaces the object's prototype, so the modality would vanish.
 */
export function modalityNameProblem(name: string): string | null {
  if (name.trim() === '')
    return 'is empty or only spaces, which cannot name a modality (it would be shown as nothing); give the modality a name';
  return name === '__proto__'
    ? 'is reserved by JavaScript and cannot name a modality; rename the modality (e.g. "proto")'
    : null;
}
