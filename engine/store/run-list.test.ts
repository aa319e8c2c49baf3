import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/helpers/dataset-folder';
import { DEFAULT_CONFIG } from '../protocol/run';
import { openStore } from './open-store';
import { listRuns } from './run-list';

const folders = tempFolders();
let db: Database.Database;

/**
 * 30 runs: datasets `paired` (even runs) and `mixed` (odd), final models cycling late fusion / UMT / Auxiliary
 * CE, every fifth one failed (no final), run 7 overridden, run 12 tagged `sweep` with a note, epochs 10 + i.
 */
beforeAll(() => {
  db = openStore(path.join(folders.make('run-list'), 'runs.sqlite')).db;
  db.exec(`INSERT INTO datasets (id, fingerprint, path, name, format, modalities_json, classes_json, split_rule, split_counts_json, created_at) VALUES
    (1, 'p', '/p', 'synthetic-paired', 'manifest', '[]', '[]', 'manifest', '{}', 'x'), (2, 'm', '/m', 'synthetic-mixed', 'manifest', '[]', '[]', 'manifest', '{}', 'x')`);
  const insertRun =
    db.prepare(`INSERT INTO runs (id, dataset_id, status, method_requested, method_final, config_json, seed, seeds, created_at, started_at, final_accuracy, duration_ms, left_out_json, note)
    VALUES (@id, @dataset, @status, 'auto', @method, @config, 0, 1, @created, @created, @final, @duration, '[]', @note)`);
  const insertFinal = db.prepare(
    `INSERT INTO final_choices (run_id, method, recommended, overridden, best, reason) VALUES (?, ?, 'umt', 0, ?, 'r')`,
  );
  const insertDecision = db.prepare(
    `INSERT INTO decisions (run_id, method, overridden, linear_probe_accuracy, averaged_prediction_accuracy, slice_accuracy_json, interval_low, interval_high, split) VALUES (?, 'umt', ?, 0.9, 0.8, '{}', 0, 0.1, 'val')`,
  );
  const methods = ['late-fusion', 'umt', 'aux-ce'];
  for (let i = 0; i < 30; i += 1) {
    const id = `run-${String(i).padStart(2, '0')}`;
    const failed = i % 5 === 4;
    const method = methods[i % 3]!;
    insertRun.run({
      id,
      dataset: i % 2 === 0 ? 1 : 2,
      status: failed ? 'failed' : 'completed',
      method,
      config: JSON.stringify({ ...DEFAULT_CONFIG, epochs: 10 + i }),
      created: `2026-12-01T00:00:${String(i).padStart(2, '0')}Z`,
      final: failed ? null : 0.5 + i / 100,
      duration: 1000 * i,
      note: i === 12 ? 'late fusion wins here' : '',
    });
    if (!failed) insertFinal.run(id, method, method);
    insertDecision.run(id, i === 7 ? 1 : 0);
  }
  db.prepare("INSERT INTO tags (run_id, tag) VALUES ('run-12', 'sweep')").run();
});
afterAll(() => {
  db.close();
  folders.removeAll();
});

const ids = (query: Parameters<typeof listRuns>[1]) => listRuns(db, query).runs.map((r) => r.id);

describe('the run list, paged, searched and sorted by the database', () => {
  it('pages newest first and counts every match', () => {
    const first = listRuns(db, { limit: 10 });
    expect(first.total).toBe(30);
    expect(first.runs.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `run-${29 - i}`));
    expect(ids({ limit: 10, offset: 25 })).toEqual(['run-04', 'run-03', 'run-02', 'run-01', 'run-00']);
    expect(listRuns(db).runs).toHaveLength(30);
    expect(first.runs[0]).toMatchObject({
      dataset: 'synthetic-mixed',
      method: 'aux-ce',
      status: 'failed',
      tags: [],
    });
  });

  it('searches what a row shows: dataset, final model by id or label, status, tag, note, id, and override', () => {
    expect(listRuns(db, { search: 'paired' }).total).toBe(15);
    expect(listRuns(db, { search: 'auxiliary' }).total).toBe(10);
    expect(listRuns(db, { search: 'late-fusion mixed' }).total).toBe(5);
    expect(listRuns(db, { search: 'failed' }).total).toBe(6);
    expect(ids({ search: 'sweep' })).toEqual(['run-12']);
    expect(ids({ search: 'WINS' })).toEqual(['run-12']);
    expect(ids({ search: 'override' })).toEqual(['run-07']);
    expect(ids({ search: 'run-2' }).length).toBe(10);
    // LIKE's wildcards are the user's characters, not wildcards.
    expect(listRuns(db, { search: '%' }).total).toBe(0);
    expect(listRuns(db, { search: '_' }).total).toBe(0);
  });

  it('filters by status and tag, and the count follows the filter, not the page', () => {
    const failed = listRuns(db, { status: 'failed', limit: 2 });
    expect(failed.total).toBe(6);
    expect(failed.runs.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(ids({ tag: 'sweep' })).toEqual(['run-12']);
    expect(ids({ tag: 'swee' })).toEqual([]);
  });

  it('sorts by a shown column or a setting, runs without a value last either way', () => {
    const finals = listRuns(db, { sort: { column: 'final', direction: 'asc' } }).runs.map((r) => r.final);
    expect(finals.slice(0, 24)).toEqual([...finals.slice(0, 24)].sort((a, b) => a! - b!));
    expect(finals.slice(24)).toEqual(Array(6).fill(null));
    expect(ids({ sort: { column: 'final', direction: 'desc' }, limit: 1 })).toEqual(['run-28']);
    expect(ids({ sort: { column: 'config.epochs', direction: 'asc' }, limit: 3 })).toEqual([
      'run-00',
      'run-01',
      'run-02',
    ]);
    expect(ids({ sort: { column: 'dataset', direction: 'asc' }, limit: 1 })).toEqual(['run-29']);
    expect(() => listRuns(db, { sort: { column: 'config.nope', direction: 'asc' } })).toThrow(
      /Cannot sort runs by "config.nope"/,
    );
  });
});
