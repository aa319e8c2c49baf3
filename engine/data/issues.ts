import type { DatasetIssue } from '../protocol/dataset';

/** The report lists this many errors (and as many warnings), then a count of the rest. */
export const MAX_LISTED_ISSUES = 50;

/**
 * A problem that stops reading the dataset altogether (no manifest, a manifest that is not text).
 * Problems with single samples are collected in an {@link IssueLog} instead, so the user sees them all at once.
 */
export class DatasetError extends Error {
  readonly issue: DatasetIssue;

  constructor(issue: DatasetIssue) {
    super(issue.message);
    this.name = 'DatasetError';
    this.issue = issue;
  }
}

/** Collects errors and warnings; keeps the first {@link MAX_LISTED_ISSUES} of each and counts them all. */
export class IssueLog {
  readonly errors: DatasetIssue[] = [];
  readonly warnings: DatasetIssue[] = [];
  errorCount = 0;
  warningCount = 0;
  /** Every sample an error names, and the errors that name none (see ValidationReport.failingSamples). */
  readonly failingSamples = new Set<string>();
  unattributedErrors = 0;
  /** The first problem of each sample the user left out: recorded, not counted as an error. */
  readonly leftOut = new Map<string, string>();

  /** `excluded`: sample ids the user chose to leave out; their problems do not stop the dataset. */
  constructor(readonly excluded: ReadonlySet<string> = new Set()) {}

  error(issue: DatasetIssue): void {
    if (issue.sampleId !== undefined && this.excluded.has(issue.sampleId)) {
      if (!this.leftOut.has(issue.sampleId)) this.leftOut.set(issue.sampleId, issue.message);
      return;
    }
    this.errorCount += 1;
    if (issue.sampleId !== undefined) this.failingSamples.add(issue.sampleId);
    else this.unattributedErrors += 1;
    if (this.errors.length < MAX_LISTED_ISSUES) this.errors.push(issue);
  }

  warn(issue: DatasetIssue): void {
    this.warningCount += 1;
    if (this.warnings.length < MAX_LISTED_ISSUES) this.warnings.push(issue);
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }
}

/** `Sample "id7" (manifest.csv line 9)`, or `Sample "0001" (train/cat/0001.rgb.png)` in a folder layout. */
export function describeSample(sample: { id: string; file: string; line: number }): string {
  return sample.line > 0
    ? `Sample "${sample.id}" (${sample.file} line ${sample.line})`
    : `Sample "${sample.id}" (${sample.file})`;
}
