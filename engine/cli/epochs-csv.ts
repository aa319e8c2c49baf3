import type { StoredRun } from '../protocol/store';
import { EPOCHS } from '../store/tables';

/** The phase's columns, then the epoch table's own (engine/store/tables.ts), as the database names them. */
const HEADER = ['seed', 'phase', 'modality', 'model', ...EPOCHS.columns];

/** The epoch table of a run as CSV (RFC 4180): one row per phase and epoch. */
export function epochsCsv(run: StoredRun): string {
  const lines = [HEADER.join(',')];
  for (const phase of run.phases) {
    for (const e of phase.epochs) {
      const row = EPOCHS.toRow(e);
      const values = [
        phase.seed,
        phase.name,
        phase.modality ?? '',
        phase.model ?? '',
        ...EPOCHS.columns.map((c) => row[c] ?? ''),
      ];
      lines.push(values.map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One CSV field. Modality names come from the user's column names, so a text field may hold anything:
 * one with a comma, quote or line break is quoted (quotes doubled), or the row would shift; one that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return: OWASP's CSV injection
 * advice) is prefixed with ' so that it is shown as text. Numbers are written as they are.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
