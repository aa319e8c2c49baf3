import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { isInside, realPathOf } from '../util/folders';
import { resolveRunId } from './run-reader';

export function tagRun(db: Database.Database, idOrPrefix: string, tag: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (id) db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)').run(id, tag);
  return id;
}

/** Sets the run's free-text note (replacing the previous one; an empty text clears it). */
export function noteRun(db: Database.Database, idOrPrefix: string, note: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (id) db.prepare('UPDATE runs SET note = ? WHERE id = ?').run(note, id);
  return id;
}

/**
 * Deletes a run and everything recorded about it (phases, epochs, evaluations… cascade), and its checkpoints,
 * which only a resume of this run could use. Model files stay: they may be in use. Only checkpoint folders
 * inside `filesRoot/runs/ID/` (the run's own folder beside its database) are removed, whatever the record says.
 */
export function deleteRun(db: Database.Database, idOrPrefix: string, filesRoot: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (!id) return null;
  const checkpoints = (
    db.prepare("SELECT path FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").all(id) as { path: string }[]
  ).map((a) => a.path);
  db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  const own = path.join(filesRoot, 'runs', id);
  for (const folder of checkpoints) {
    if (isInside(folder, own) && realPathOf(folder) !== realPathOf(own))
      fs.rmSync(folder, { recursive: true, force: true });
  }
  // The run's own folder goes too once nothing is left in it (a model saved there stays, and so does it).
  if (fs.existsSync(own) && fs.readdirSync(own).length === 0) fs.rmdirSync(own);
  return id;
}

export type CancelOutcome = { ok: true; id: string; pid: number } | { ok: false; reason: string };

/**
 * Asks the engine process running a run to stop (SIGTERM; it stops at the next batch boundary and marks the
 * run cancelled). Only a run of this machine whose process is alive can be cancelled.
 */
export function requestCancel(db: Database.Database, idOrPrefix: string, host: string, selfPid: number): CancelOutcome {
  const id = resolveRunId(db, idOrPrefix);
  if (!id)
    return {
      ok: false,
      reason: `No run "${idOrPrefix}" in the database (or the prefix matches several); runs list shows the ids.`,
    };
  const run = db.prepare('SELECT status, pid, host FROM runs WHERE id = ?').get(id) as {
    status: string;
    pid: number | null;
    host: string | null;
  };
  if (run.status !== 'running' && run.status !== 'queued')
    return { ok: false, reason: `Run ${id} is ${run.status}; only a running run can be cancelled.` };
  if (run.host !== host || run.pid === null)
    return { ok: false, reason: `Run ${id} runs on ${run.host ?? 'another machine'}; cancel it there.` };
  // Two engines in one process (tests) share a pid: a signal would stop the asker, not the run.
  if (run.pid === selfPid)
    return { ok: false, reason: `Run ${id} is trained by another engine in this process; cancel it there.` };
  try {
    process.kill(run.pid, 'SIGTERM');
  } catch (error) {
    return {
      ok: false,
      reason: `The process of run ${id} (pid ${run.pid}) could not be signalled (${(error as NodeJS.ErrnoException).code}); it may have stopped already.`,
    };
  }
  return { ok: true, id, pid: run.pid };
}

export function untagRun(db: Database.Database, idOrPrefix: string, tag: string): string | null {
  const id = resolveRunId(db, idOrPrefix);
  if (id) db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?').run(id, tag);
  return id;
}
