import type { RunConfig } from '../../../engine/protocol/run';
import type { RunQuery, RunSortColumn, RunSummary } from '../../../engine/protocol/store';

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
  /** Words that must all appear in what a row shows (the database searches: engine/store/run-list.ts). */
  search: string;
  status: string;
  sortKey: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTER: RunFilter = { search: '', status: '', sortKey: 'startedAt', descending: true };

/** The database's sort column for a column of the run browser (engine/store/run-list.ts sorts). */
export function runSortColumn(key: SortKey): RunSortColumn {
  if (key.startsWith('config:')) return `config.${key.slice('config:'.length)}`;
  const columns: Record<string, RunSortColumn> = { startedAt: 'started', durationMs: 'duration' };
  return columns[key] ?? (key as RunSortColumn);
}

/** Runs a page of the run browser holds: the database pages, searches and sorts (never the page itself). */
export const RUNS_PAGE_SIZE = 100;

/** The `runs:list` query of the browser's filter and page (0-based). */
export function runQuery(filter: RunFilter, page: number, pageSize = RUNS_PAGE_SIZE): RunQuery {
  const search = filter.search.trim();
  return {
    limit: pageSize,
    offset: page * pageSize,
    ...(search ? { search } : {}),
    ...(filter.status ? { status: filter.status as NonNullable<RunQuery['status']> } : {}),
    sort: { column: runSortColumn(filter.sortKey), direction: filter.descending ? 'desc' : 'asc' },
  };
}
