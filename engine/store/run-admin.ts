import type Database from 'better-sqlite3';
import { resolveRunId } from './run-reader';

export function tagRun(db: Database.Database, idOrPrefix: string, tag: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (id) db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)').run(id, tag);
  return id;
}

/** Deletes a run and everything recorded about it (phases, epochs, evaluations… cascade). Model files stay. */
export function deleteRun(db: Database.Database, idOrPrefix: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (id) db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  return id;
}
