import type { LeftOutSample, ModalitySummary, Split, SplitCounts, ValidationReport } from '../protocol/dataset';
import type { IssueLog } from './issues';
import type { ModalityPlan } from './plan';

export function countSplits(splits: Split[]): SplitCounts {
  const counts: SplitCounts = { train: 0, val: 0, test: 0 };
  for (const split of splits) counts[split] += 1;
  return counts;
}

export function countClasses(labels: string[], splits: Split[]): Record<string, SplitCounts> {
  // Labels are the user's words: "__proto__" or "constructor" must be ordinary keys here.
  const counts: Record<string, SplitCounts> = Object.create(null);
  labels.forEach((label, i) => {
    const entry = (counts[label] ??= { train: 0, val: 0, test: 0 });
    entry[splits[i] ?? 'train'] += 1;
  });
  return counts;
}

export function summarizeModality(plan: ModalityPlan): ModalitySummary {
  return {
    name: plan.name,
    kind: plan.kind,
    shape: plan.shape,
    source: plan.source,
    ...(plan.extensions.length ? { extensions: plan.extensions } : {}),
  };
}

export function buildReport(
  fields: Omit<ValidationReport, 'ok' | 'errors' | 'errorCount' | 'warnings' | 'warningCount'>,
  log: IssueLog,
): ValidationReport {
  return {
    ok: !log.hasErrors,
    ...fields,
    errors: log.errors,
    errorCount: log.errorCount,
    warnings: log.warnings,
    warningCount: log.warningCount,
    ...(log.hasErrors ? { failingSamples: [...log.failingSamples], unattributedErrors: log.unattributedErrors } : {}),
    ...(log.excluded.size > 0 ? { leftOut: leftOutOf(log) } : {}),
  };
}

/** The samples left out at the user's request, each with the first problem found in it. */
export function leftOutOf(log: IssueLog): LeftOutSample[] {
  return [...log.excluded].sort().map((sampleId) => ({
    sampleId,
    reason: log.leftOut.get(sampleId) ?? 'left out at your request (no problem found in it now)',
  }));
}
