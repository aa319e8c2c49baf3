import type { Split } from '../../protocol/dataset';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export type ParsedNumber = { ok: true; value: number } | { ok: false; reason: 'empty' | 'non-finite' | 'non-numeric' };

/** Parses a manifest cell as a decimal number; hex, blanks, NaN and infinities are refused with the reason. */
export function parseNumberCell(text: string): ParsedNumber {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (NON_FINITE.test(trimmed)) return { ok: false, reason: 'non-finite' };
  if (!DECIMAL.test(trimmed)) return { ok: false, reason: 'non-numeric' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, reason: 'non-finite' };
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
  return name === '__proto__' ? 'is reserved by JavaScript and cannot name a modality; rename the modality (e.g. "proto")' : null;
}
