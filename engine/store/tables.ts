import type Database from 'better-sqlite3';
import type {
  Decision,
  DecisionSelection,
  EpochMetrics,
  Evaluation,
  LazinessEntry,
  Recipe,
  ResultRow,
} from '../protocol/run';
import type { StoredCandidate, StoredFinal } from '../protocol/store';

type SqlValue = string | number | null;

/**
 * One store table's columns and how a value of the app becomes its row and back: the one place that lists
 * them, for the run writer (as a run goes), the import (runs import) and the reader. `owner` is the column
 * that ties a row to what it belongs to (a run's id, a phase's id), given apart.
 */
export interface TableMap<V, R extends Record<string, SqlValue>> {
  table: string;
  owner: string;
  /** The columns besides the owner, in the order the statement lists them. */
  columns: readonly (keyof R & string)[];
  toRow(value: V): R;
  fromRow(row: R): V;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parsed = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

type EpochRow = {
  epoch: number;
  train_loss: number;
  train_extra_loss: number | null;
  train_accuracy: number;
  val_loss: number;
  val_accuracy: number;
  learning_rate: number;
  duration_ms: number;
};

export const EPOCHS: TableMap<EpochMetrics, EpochRow> = {
  table: 'epochs',
  owner: 'phase_id',
  columns: [
    'epoch',
    'train_loss',
    'train_extra_loss',
    'train_accuracy',
    'val_loss',
    'val_accuracy',
    'learning_rate',
    'duration_ms',
  ],
  toRow: (e) => ({
    epoch: e.epoch,
    train_loss: e.trainLoss,
    train_extra_loss: e.trainExtraLoss ?? null,
    train_accuracy: e.trainAccuracy,
    val_loss: e.valLoss,
    val_accuracy: e.valAccuracy,
    learning_rate: e.learningRate,
    duration_ms: e.durationMs,
  }),
  fromRow: (r) => ({
    epoch: r.epoch,
    trainLoss: r.train_loss,
    ...(r.train_extra_loss === null ? {} : { trainExtraLoss: r.train_extra_loss }),
    trainAccuracy: r.train_accuracy,
    valLoss: r.val_loss,
    valAccuracy: r.val_accuracy,
    learningRate: r.learning_rate,
    durationMs: r.duration_ms,
  }),
};

type DecisionRow = {
  method: Decision['method'];
  overridden: number;
  linear_probe_accuracy: number;
  averaged_prediction_accuracy: number;
  slice_accuracy_json: string;
  interval_low: number;
  interval_high: number;
  split: string;
  selection_json: string | null;
};

export const DECISIONS: TableMap<Decision, DecisionRow> = {
  table: 'decisions',
  owner: 'run_id',
  columns: [
    'method',
    'overridden',
    'linear_probe_accuracy',
    'averaged_prediction_accuracy',
    'slice_accuracy_json',
    'interval_low',
    'interval_high',
    'split',
    'selection_json',
  ],
  toRow: (d) => ({
    method: d.method,
    overridden: Number(d.overridden),
    linear_probe_accuracy: d.linearProbeAccuracy,
    averaged_prediction_accuracy: d.averagedPredictionAccuracy,
    slice_accuracy_json: JSON.stringify(d.sliceAccuracy),
    interval_low: d.differenceInterval[0],
    interval_high: d.differenceInterval[1],
    split: d.split,
    selection_json: json(d.selection),
  }),
  fromRow: (r) => {
    const selection = parsed<DecisionSelection>(r.selection_json);
    return {
      method: r.method,
      overridden: r.overridden === 1,
      linearProbeAccuracy: r.linear_probe_accuracy,
      averagedPredictionAccuracy: r.averaged_prediction_accuracy,
      sliceAccuracy: JSON.parse(r.slice_accuracy_json) as Decision['sliceAccuracy'],
      differenceInterval: [r.interval_low, r.interval_high],
      ...(selection ? { selection } : {}),
      split: 'val',
    };
  },
};

type EvaluationRow = {
  seed: number;
  model: string;
  split: Evaluation['split'];
  accuracy: number;
  macro_f1: number;
  per_class_json: string;
  confusion_json: string;
};

export const EVALUATIONS: TableMap<Evaluation, EvaluationRow> = {
  table: 'evaluations',
  owner: 'run_id',
  columns: ['seed', 'model', 'split', 'accuracy', 'macro_f1', 'per_class_json', 'confusion_json'],
  toRow: (e) => ({
    seed: e.seed,
    model: e.model,
    split: e.split,
    accuracy: e.accuracy,
    macro_f1: e.macroF1,
    per_class_json: JSON.stringify(e.perClassAccuracy),
    confusion_json: JSON.stringify(e.confusion),
  }),
  fromRow: (r) => ({
    model: r.model,
    seed: r.seed,
    split: r.split,
    accuracy: r.accuracy,
    macroF1: r.macro_f1,
    perClassAccuracy: JSON.parse(r.per_class_json) as number[],
    confusion: JSON.parse(r.confusion_json) as number[][],
  }),
};

export const RESULTS: TableMap<ResultRow, ResultRow & Record<string, SqlValue>> = {
  table: 'results',
  owner: 'run_id',
  columns: ['seed', 'model', 'split', 'metric', 'value'],
  toRow: (r) => ({ seed: r.seed, model: r.model, split: r.split, metric: r.metric, value: r.value }),
  fromRow: (r) => ({ seed: r.seed, model: r.model, split: r.split, metric: r.metric, value: r.value }),
};

export const LAZINESS: TableMap<LazinessEntry, LazinessEntry & Record<string, SqlValue>> = {
  table: 'laziness',
  owner: 'run_id',
  columns: ['seed', 'modality', 'model', 'accuracy'],
  toRow: (l) => ({ seed: l.seed, modality: l.modality, model: l.model, accuracy: l.accuracy }),
  fromRow: (l) => ({ seed: l.seed, modality: l.modality, model: l.model, accuracy: l.accuracy }),
};

/** A candidate as its row keeps it: its place in the run's list, and no accuracies (those are the results' rows). */
export type CandidateRecord = Omit<StoredCandidate, 'val' | 'test'> & { position: number };

type CandidateRow = {
  method: string;
  label: string;
  position: number;
  distill_weight: number | null;
  weight_search_json: string | null;
  estimated_json: string | null;
  training_ms: number | null;
  model_path: string | null;
  recipe_json: string | null;
};

export const CANDIDATES: TableMap<CandidateRecord, CandidateRow> = {
  table: 'candidates',
  owner: 'run_id',
  columns: [
    'method',
    'label',
    'position',
    'distill_weight',
    'weight_search_json',
    'estimated_json',
    'training_ms',
    'model_path',
    'recipe_json',
  ],
  toRow: (c) => ({
    method: c.method,
    label: c.label,
    position: c.position,
    distill_weight: c.distillWeight ?? null,
    weight_search_json: json(c.weightSearch),
    estimated_json: json(c.estimated),
    training_ms: c.trainingMs,
    model_path: c.modelPath,
    recipe_json: json(c.recipe),
  }),
  fromRow: (c) => {
    const weightSearch = parsed<StoredCandidate['weightSearch']>(c.weight_search_json);
    const estimated = parsed<StoredCandidate['estimated']>(c.estimated_json);
    const recipe = parsed<Recipe>(c.recipe_json);
    return {
      method: c.method,
      label: c.label,
      position: c.position,
      ...(c.distill_weight === null ? {} : { distillWeight: c.distill_weight }),
      ...(weightSearch ? { weightSearch } : {}),
      ...(estimated ? { estimated } : {}),
      ...(recipe ? { recipe } : {}),
      trainingMs: c.training_ms,
      modelPath: c.model_path,
    };
  },
};

type FinalRow = {
  method: string;
  recommended: StoredFinal['recommended'];
  overridden: number;
  best: string | null;
  interval_low: number | null;
  interval_high: number | null;
  reason: string;
};

export const FINAL_CHOICES: TableMap<StoredFinal, FinalRow> = {
  table: 'final_choices',
  owner: 'run_id',
  columns: ['method', 'recommended', 'overridden', 'best', 'interval_low', 'interval_high', 'reason'],
  toRow: (f) => ({
    method: f.method,
    recommended: f.recommended,
    overridden: Number(f.overridden),
    best: f.best,
    interval_low: f.interval?.[0] ?? null,
    interval_high: f.interval?.[1] ?? null,
    reason: f.reason,
  }),
  fromRow: (f) => ({
    method: f.method,
    recommended: f.recommended,
    overridden: f.overridden === 1,
    best: f.best,
    interval: f.interval_low === null || f.interval_high === null ? null : [f.interval_low, f.interval_high],
    reason: f.reason,
  }),
};

/**
 * An insert into `map`'s table: `(owner, value)` → the row. `replace` overwrites a row with the same key (the
 * writer records an event again after a resume); an import inserts fresh rows.
 */
export function inserter<V, R extends Record<string, SqlValue>>(
  db: Database.Database,
  map: TableMap<V, R>,
  mode: 'insert' | 'replace',
): (owner: SqlValue, value: V) => Database.RunResult {
  const columns = [map.owner, ...map.columns];
  const statement = db.prepare(
    `INSERT ${mode === 'replace' ? 'OR REPLACE ' : ''}INTO ${map.table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  return (owner, value) => statement.run({ ...map.toRow(value), [map.owner]: owner });
}

/** Every row of `map`'s table that belongs to `owner`, in `order`, as values of the app. */
export function selectAll<V, R extends Record<string, SqlValue>>(
  db: Database.Database,
  map: TableMap<V, R>,
  owner: SqlValue,
  order: string,
): V[] {
  const rows = db
    .prepare(`SELECT ${map.columns.join(', ')} FROM ${map.table} WHERE ${map.owner} = ? ORDER BY ${order}`)
    .all(owner) as R[];
  return rows.map((row) => map.fromRow(row));
}

/** The one row of `map`'s table that belongs to `owner` (a run's decision, its final choice), or null. */
export function selectOne<V, R extends Record<string, SqlValue>>(
  db: Database.Database,
  map: TableMap<V, R>,
  owner: SqlValue,
): V | null {
  const row = db.prepare(`SELECT ${map.columns.join(', ')} FROM ${map.table} WHERE ${map.owner} = ?`).get(owner) as
    R | undefined;
  return row ? map.fromRow(row) : null;
}
