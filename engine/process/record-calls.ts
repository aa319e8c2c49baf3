import path from 'node:path';
import type Database from 'better-sqlite3';
import type { EngineCalls } from '../protocol/engine';
import { AppError } from '../protocol/errors';
import { noteRun, tagRun, untagRun } from '../store/run-admin';
import { listRuns } from '../store/run-list';
import { checkStore } from '../store/store-check';
import { getRun, resolveRunId } from '../store/run-reader';
import { exportRun, importRun } from '../store/run-transfer';

type RecordCall = 'runs:list' | 'runs:show' | 'runs:tag' | 'runs:note' | 'runs:export' | 'runs:import' | 'runs:check';

/**
 * The calls that read and edit the run store's records and need nothing of a running engine: one handler per
 * call, keyed by its name (adding one is a line here and one in the protocol).
 */
export const RECORD_CALLS: {
  [K in RecordCall]: (db: Database.Database, params: EngineCalls[K]['params']) => EngineCalls[K]['result'];
} = {
  'runs:list': (db, query) => listRuns(db, query),
  'runs:check': (db) => checkStore(db),
  'runs:show': (db, { id }) => {
    const run = getRun(db, existingRun(db, id));
    if (!run) throw new AppError('not-found', `No run "${id}" in the database.`);
    return run;
  },
  'runs:tag': (db, { id, add = [], remove = [] }) => {
    const runId = existingRun(db, id);
    add.forEach((tag) => tagRun(db, runId, tag));
    remove.forEach((tag) => untagRun(db, runId, tag));
    return { tags: getRun(db, runId)?.tags ?? [] };
  },
  'runs:note': (db, { id, note }) => {
    const runId = existingRun(db, id);
    noteRun(db, runId, note);
    return { id: runId, note };
  },
  'runs:export': (db, { id }) => exportRun(db, existingRun(db, id)),
  // The imported run's files go where a run of this database keeps its own: runs/ID/ beside it.
  'runs:import': (db, { data }) => importRun(db, data, path.join(path.dirname(path.resolve(db.name)), 'runs')),
};

export function isRecordCall(call: string): call is RecordCall {
  return Object.hasOwn(RECORD_CALLS, call);
}

/** The full id of a stored run, or a not-found error naming the given id or prefix. */
export function existingRun(db: Database.Database, idOrPrefix: string): string {
  const id = resolveRunId(db, idOrPrefix);
  if (!id)
    throw new AppError(
      'not-found',
      `No run "${idOrPrefix}" in the database (or the prefix matches several); runs list shows the ids.`,
    );
  return id;
}
