import type { StoredRun } from '../protocol/store';

const HEADER = [
  'seed',
  'phase',
  'modality',
  'model',
  'epoch',
  'train_loss',
  'train_extra_loss',
  'train_accuracy',
  'val_loss',
  'val_accuracy',
  'learning_rate',
  'duration_ms',
];

/** The epoch table of a run as CSV (RFC 4180): one row per phase and epoch. */
export function epochsCsv(run: StoredRun): string {
  const lines = [HEADER.join(',')];
  for (const phase of run.phases) {
    for (const e of phase.epochs)
      lines.push(
        [
          phase.seed,
          phase.name,
          phase.modality ?? '',
          phase.model ?? '',
          e.epoch,
          e.trainLoss,
          e.trainExtraLoss ?? '',
          e.trainAccuracy,
          e.valLoss,
          e.valAccuracy,
          e.learningRate,
          e.durationMs,
        ]
          .map(csvField)
          .join(','),
      );
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
