import type { RunConfig } from '../../../engine/protocol/run';
import type { RunSummary } from '../../../engine/protocol/store';

/** A column to sort by: a summary field, or one of the run's settings (the columns the user adds). */
export type SortKey =
  'dataset' | 'method' | 'final' | 'status' | 'startedAt' | 'durationMs' | 'backend' | `config:${keyof RunConfig}`;

/** A run's value in a column: lists (encoder widths) as text, missing settings (older runs) as null. */
export function columnValue(run: RunSummary, key: SortKey): string | number | null {
  if (key.startsWith('config:')) {
    const value = (run.config as unknown as Record<string, unknown> | undefined)?.[key.slice('config:'.length)];
    if (value === undefined || value === null) return null;
    return Array.isArray(value) ? value.join(', ') : typeof value === 'number' ? value : String(value);
  }
  const value = run[key as Exclude<SortKey, `config:${string}`>];
  return value === undefined ? null : value;
}

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
    const x = columnValue(a, filter.sortKey);
    const y = columnValue(b, filter.sortKey);
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}
