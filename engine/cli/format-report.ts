import type { DatasetIssue, ValidationReport } from '../protocol/dataset';
import { printable } from '../protocol/printable';

/**
 * The human-readable `validate` report: a summary, then every listed error and warning with its culprit.
 * Names and messages quote the user's data (labels, column and file names), so each goes through
 * {@link printable}: an escape sequence in a label must not retitle or clear the terminal.
 */
export function formatReport(report: ValidationReport): string {
  const lines: string[] = [];
  lines.push(
    `${report.ok ? '✓ Usable' : '✗ Not usable'}: ${printable(report.name)} (${printable(report.path, 1_000)})`,
  );
  if (report.samples > 0 || report.modalities.length > 0) {
    lines.push(`  format      ${report.format}`);
    lines.push(
      `  samples     ${report.samples}  (train ${report.splits.train}, val ${report.splits.val}, test ${report.splits.test}${report.splitRule ? `; split: ${describeRule(report.splitRule)}` : ''})`,
    );
    lines.push(`  classes     ${report.classes.length}: ${abbreviate(report.classes)}`);
    for (const modality of report.modalities) {
      lines.push(
        `  modality    ${printable(modality.name, 80)}: ${modality.kind} [${modality.shape.join(', ')}] from ${modality.source}${modality.extensions?.length ? ` (${modality.extensions.join(' ')})` : ''}`,
      );
    }
  }
  if (report.errorCount > 0) {
    lines.push('', `Errors (${report.errorCount}):`);
    lines.push(...report.errors.map(formatIssue));
    if (report.errorCount > report.errors.length)
      lines.push(`  … and ${report.errorCount - report.errors.length} more errors.`);
  }
  if (report.warningCount > 0) {
    lines.push('', `Warnings (${report.warningCount}):`);
    lines.push(...report.warnings.map(formatIssue));
    if (report.warningCount > report.warnings.length)
      lines.push(`  … and ${report.warningCount - report.warnings.length} more warnings.`);
  }
  return `${lines.join('\n')}\n`;
}

function formatIssue(issue: DatasetIssue): string {
  return `  [${issue.code}] ${printable(issue.message, 2_000)}`;
}

function describeRule(rule: NonNullable<ValidationReport['splitRule']>): string {
  if (rule === 'manifest') return 'as the manifest gives it';
  if (rule === 'stratified-70-10-20') return 'stratified 70/10/20, seeded';
  return 'val = stratified 1/8 of train, seeded';
}

function abbreviate(names: string[]): string {
  const shown = names.slice(0, 12).map((name) => printable(name, 80));
  return names.length <= 12 ? shown.join(', ') : `${shown.join(', ')}, …`;
}
