import type Database from 'better-sqlite3';
import { runSeeds, type Decision, type Evaluation, type LazinessEntry, type ResultRow } from '../protocol/run';
import type { DecisionSelection, Recipe } from '../protocol/run';
import type { RunSummary, StoredCandidate, StoredFinal, StoredPhase, StoredRun } from '../protocol/store';
import { seedStat } from '../protocol/seed-stat';

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

export function listRuns(db: Database.Database): RunSummary[] {
  const rows = db
    .prepare(
      `SELECT r.id, d.name AS dataset, COALESCE(f.method, r.method_final, r.method_requested) AS method, r.seeds, r.status, r.final_accuracy, r.started_at, r.duration_ms, r.waiting_ms,
      r.config_json, json_extract(r.backend_json, '$.name') AS backend, COALESCE(dc.overridden, 0) AS overridden,
      (SELECT json_group_array(tag) FROM (SELECT tag FROM tags t WHERE t.run_id = r.id ORDER BY tag)) AS tags
    FROM runs r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN final_choices f ON f.run_id = r.id LEFT JOIN decisions dc ON dc.run_id = r.id ORDER BY r.created_at DESC, r.id`,
    )
    .all() as {
    id: string;
    dataset: string;
    method: string;
    seeds: number;
    status: RunSummary['status'];
    final_accuracy: number | null;
    started_at: string | null;
    duration_ms: number | null;
    waiting_ms: number;
    config_json: string;
    backend: string | null;
    overridden: number;
    tags: string;
  }[];
  return rows.map((r) => ({
    id: r.id,
    dataset: r.dataset,
    method: r.method,
    seeds: r.seeds,
    status: r.status,
    final: r.final_accuracy,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    waitingMs: r.waiting_ms,
    config: JSON.parse(r.config_json) as RunSummary['config'],
    backend: r.backend,
    overridden: r.overridden === 1,
    tags: JSON.parse(r.tags) as string[],
  }));
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
  const epochsOf = db.prepare(
    'SELECT epoch, train_loss, train_extra_loss, train_accuracy, val_loss, val_accuracy, learning_rate, duration_ms FROM epochs WHERE phase_id = ? ORDER BY epoch',
  );
  const decision = db.prepare('SELECT * FROM decisions WHERE run_id = ?').get(id) as
    | {
        method: Decision['method'];
        overridden: number;
        linear_probe_accuracy: number;
        averaged_prediction_accuracy: number;
        slice_accuracy_json: string;
        interval_low: number;
        interval_high: number;
        selection_json: string | null;
      }
    | undefined;
  const evaluations = db.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY seed, rowid').all(id) as {
    seed: number;
    model: string;
    split: Evaluation['split'];
    accuracy: number;
    macro_f1: number;
    per_class_json: string;
    confusion_json: string;
  }[];
  const results = db
    .prepare(
      'SELECT seed, model, split, metric, value FROM results WHERE run_id = ? ORDER BY seed, model, split, metric',
    )
    .all(id) as ResultRow[];
  const laziness = db
    .prepare('SELECT seed, modality, model, accuracy FROM laziness WHERE run_id = ? ORDER BY seed, modality, model')
    .all(id) as LazinessEntry[];
  const candidateRows = db.prepare('SELECT * FROM candidates WHERE run_id = ? ORDER BY position, method').all(id) as {
    method: string;
    label: string;
    distill_weight: number | null;
    weight_search_json: string | null;
    estimated_json: string | null;
    recipe_json: string | null;
    training_ms: number | null;
    model_path: string | null;
  }[];
  const final = db.prepare('SELECT * FROM final_choices WHERE run_id = ?').get(id) as
    | {
        method: string;
        recommended: StoredFinal['recommended'];
        overridden: number;
        best: string | null;
        interval_low: number | null;
        interval_high: number | null;
        reason: string;
      }
    | undefined;
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
    candidates: candidateRows.map((c): StoredCandidate => ({
      method: c.method,
      label: c.label,
      val: stat(c.method, 'val'),
      test: stat(c.method, 'test'),
      ...(c.distill_weight === null ? {} : { distillWeight: c.distill_weight }),
      ...(c.weight_search_json ? { weightSearch: JSON.parse(c.weight_search_json) } : {}),
      ...(c.estimated_json ? { estimated: JSON.parse(c.estimated_json) } : {}),
      ...(c.recipe_json ? { recipe: JSON.parse(c.recipe_json) as Recipe } : {}),
      trainingMs: c.training_ms,
      modelPath: c.model_path,
    })),
    finalChoice: final
      ? {
          method: final.method,
          recommended: final.recommended,
          overridden: final.overridden === 1,
          best: final.best,
          interval:
            final.interval_low === null || final.interval_high === null
              ? null
              : [final.interval_low, final.interval_high],
          reason: final.reason,
        }
      : null,
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
    decision: decision
      ? {
          method: decision.method,
          overridden: decision.overridden === 1,
          linearProbeAccuracy: decision.linear_probe_accuracy,
          averagedPredictionAccuracy: decision.averaged_prediction_accuracy,
          sliceAccuracy: JSON.parse(decision.slice_accuracy_json),
          differenceInterval: [decision.interval_low, decision.interval_high],
          ...(decision.selection_json ? { selection: JSON.parse(decision.selection_json) as DecisionSelection } : {}),
          split: 'val',
        }
      : null,
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
      epochs: (
        epochsOf.all(p.id) as {
          epoch: number;
          train_loss: number;
          train_extra_loss: number | null;
          train_accuracy: number;
          val_loss: number;
          val_accuracy: number;
          learning_rate: number;
          duration_ms: number;
        }[]
      ).map((e) => ({
        epoch: e.epoch,
        trainLoss: e.train_loss,
        ...(e.train_extra_loss === null ? {} : { trainExtraLoss: e.train_extra_loss }),
        trainAccuracy: e.train_accuracy,
        valLoss: e.val_loss,
        valAccuracy: e.val_accuracy,
        learningRate: e.learning_rate,
        durationMs: e.duration_ms,
      })),
    })),
    evaluations: evaluations.map((e) => ({
      model: e.model,
      seed: e.seed,
      split: e.split,
      accuracy: e.accuracy,
      macroF1: e.macro_f1,
      perClassAccuracy: JSON.parse(e.per_class_json),
      confusion: JSON.parse(e.confusion_json),
    })),
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
