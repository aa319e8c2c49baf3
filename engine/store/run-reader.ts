import type Database from 'better-sqlite3';
import { runSeeds } from '../protocol/run';
import type { StoredCandidate, StoredPhase, StoredRun } from '../protocol/store';
import { seedStat } from '../protocol/seed-stat';
import {
  CANDIDATES,
  DECISIONS,
  EPOCHS,
  EVALUATIONS,
  FINAL_CHOICES,
  LAZINESS,
  RESULTS,
  selectAll,
  selectOne,
} from './tables';

interface RunRow {
  id: string;
  status: StoredRun['status'];
  method_requested: string;
  method_final: string | null;
  config_json: string;
  seed: number;
  seeds: number;
  notices_json: string;
  laziness_verdicts_json: string;
  backend_json: string | null;
  final_accuracy: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  waiting_ms: number;
  left_out_json: string;
  note: string;
  fingerprint: string;
  path: string;
  name: string;
  format: string;
  modalities_json: string;
  classes_json: string;
  split_rule: string;
  split_counts_json: string;
}

/** The whole run, or null. A unique id prefix (as git accepts) is enough. */
export function getRun(db: Database.Database, idOrPrefix: string): StoredRun | null {
  const id = resolveRunId(db, idOrPrefix);
  if (!id) return null;
  const r = db
    .prepare(
      'SELECT r.*, d.fingerprint, d.path, d.name, d.format, d.modalities_json, d.classes_json, d.split_rule, d.split_counts_json FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?',
    )
    .get(id) as RunRow;
  const phases = db.prepare('SELECT * FROM phases WHERE run_id = ? ORDER BY id').all(id) as {
    id: number;
    seed: number;
    name: string;
    modality: string;
    model: string;
    status: string;
    started_at: string;
    finished_at: string | null;
    duration_ms: number | null;
    best_epoch: number | null;
    stopped_early: number | null;
  }[];
  const decision = selectOne(db, DECISIONS, id);
  const evaluations = selectAll(db, EVALUATIONS, id, 'seed, rowid');
  const results = selectAll(db, RESULTS, id, 'seed, model, split, metric');
  const laziness = selectAll(db, LAZINESS, id, 'seed, modality, model');
  const candidateRows = selectAll(db, CANDIDATES, id, 'position, method');
  const final = selectOne(db, FINAL_CHOICES, id);
  const stat = (model: string, split: 'val' | 'test') => {
    const values = results
      .filter((row) => row.model === model && row.split === split && row.metric === 'accuracy')
      .map((row) => row.value);
    return values.length ? seedStat(values) : null;
  };
  const artifacts = db
    .prepare('SELECT kind, path, phase, epoch, created_at FROM artifacts WHERE run_id = ? ORDER BY id')
    .all(id) as {
    kind: 'model' | 'checkpoint';
    path: string;
    phase: string;
    epoch: number | null;
    created_at: string;
  }[];
  const tags = (db.prepare('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag').all(id) as { tag: string }[]).map(
    (t) => t.tag,
  );
  return {
    id,
    status: r.status,
    methodRequested: r.method_requested,
    method: r.method_final,
    config: JSON.parse(r.config_json),
    seed: r.seed,
    backend: r.backend_json ? JSON.parse(r.backend_json) : null,
    final: r.final_accuracy,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    waitingMs: r.waiting_ms,
    leftOut: JSON.parse(r.left_out_json) as StoredRun['leftOut'],
    note: r.note,
    tags,
    seeds: runSeeds({ seed: r.seed, seeds: r.seeds }),
    candidates: candidateRows.map(({ position: _position, ...c }): StoredCandidate => ({
      ...c,
      val: stat(c.method, 'val'),
      test: stat(c.method, 'test'),
    })),
    finalChoice: final,
    notices: JSON.parse(r.notices_json) as string[],
    lazinessVerdicts: JSON.parse(r.laziness_verdicts_json),
    dataset: {
      fingerprint: r.fingerprint,
      path: r.path,
      name: r.name,
      format: r.format,
      modalities: JSON.parse(r.modalities_json),
      classes: JSON.parse(r.classes_json),
      splitRule: r.split_rule,
      splits: JSON.parse(r.split_counts_json),
    },
    decision,
    phases: phases.map((p): StoredPhase => ({
      name: p.name,
      seed: p.seed,
      ...(p.modality ? { modality: p.modality } : {}),
      ...(p.model ? { model: p.model } : {}),
      status: p.status,
      startedAt: p.started_at,
      finishedAt: p.finished_at,
      durationMs: p.duration_ms,
      bestEpoch: p.best_epoch,
      stoppedEarly: p.stopped_early === null ? null : p.stopped_early === 1,
      epochs: selectAll(db, EPOCHS, p.id, 'epoch'),
    })),
    evaluations,
    results,
    laziness,
    artifacts: artifacts.map((a) => ({
      kind: a.kind,
      path: a.path,
      phase: a.phase,
      epoch: a.epoch,
      createdAt: a.created_at,
    })),
  };
}

export function resolveRunId(db: Database.Database, idOrPrefix: string): string | null {
  const matches = db.prepare("SELECT id FROM runs WHERE id = ? OR id LIKE ? || '%' ESCAPE '\\' LIMIT 2").all(
    idOrPrefix,
    idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`),
  ) as { id: string }[];
  const exact = matches.find((m) => m.id === idOrPrefix);
  if (exact) return exact.id;
  return matches.length === 1 ? (matches[0]?.id ?? null) : null;
}
