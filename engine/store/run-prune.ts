import type Database from 'better-sqlite3';
import type { RunStatus } from '../protocol/store';
import { deleteRun } from './run-admin';

export interface PruneFilter {
  /** Runs created before this ISO date or time. */
  before?: string;
  status?: RunStatus;
}

/** The ids of the runs a prune would delete: never a running one, nor `keep` (the engine's active run). */
export function runsToPrune(db: Database.Database, filter: PruneFilter, keep: string | null): string[] {
  const clauses = ["status != 'running'"];
  const params: Record<string, string> = {};
  if (filter.before) {
    clauses.push('created_at < @before');
    params.before = new Date(filter.before).toISOString();
  }
  if (filter.status) {
    clauses.push('status = @status');
    params.status = filter.status;
  }
  const ids = (
    db.prepare(`SELECT id FROM runs WHERE ${clauses.join(' AND ')} ORDER BY created_at`).all(params) as { id: string }[]
  ).map((r) => r.id);
  return ids.filter((id) => id !== keep);
}

/** Deletes them, each as `runs delete` does (its records and its checkpoints), in one transaction; returns how many. */
export function pruneRuns(db: Database.Database, ids: string[], filesRoot: string): number {
  let deleted = 0;
  db.transaction(() => {
    for (const id of ids) if (deleteRun(db, id, filesRoot) !== null) deleted += 1;
  })();
  return deleted;
}
