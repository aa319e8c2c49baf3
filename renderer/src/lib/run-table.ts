import type { RunSummary } from '../../../engine/protocol/store';

export type SortKey = 'dataset' | 'method' | 'final' | 'status' | 'startedAt' | 'durationMs';

export interface RunFilter {
  /** Words that must all appear in the dataset, method, status, tags or id. */
  search: string;
  status: string;
  sortKey: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTER: RunFilter = { search: '', status: '', sortKey: 'startedAt', descending: true };

/** The run browser's rows: filtered by status and search words, sorted (missing values last either way). */
export function visibleRuns(runs: RunSummary[], filter: RunFilter): RunSummary[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (run: RunSummary) => {
    const text = [run.id, run.dataset, run.method, run.status, ...run.tags].join(' ').toLowerCase();
    return words.every((word) => text.includes(word)) && (!filter.status || run.status === filter.status);
  };
  const direction = filter.descending ? -1 : 1;
  return runs.filter(matches).sort((a, b) => {
    const x = a[filter.sortKey];
    const y = b[filter.sortKey];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}
