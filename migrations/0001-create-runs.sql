-- Modality Studio run store, version 1. Applied once, never edited: later changes go in 0002-….sql.

CREATE TABLE datasets (
  id                INTEGER PRIMARY KEY,
  fingerprint       TEXT NOT NULL UNIQUE,
  path              TEXT NOT NULL,
  name              TEXT NOT NULL,
  format            TEXT NOT NULL,
  modalities_json   TEXT NOT NULL,          -- [{name, kind, shape, source}]
  classes_json      TEXT NOT NULL,          -- ["cat", "dog", …]
  split_rule        TEXT NOT NULL,
  split_counts_json TEXT NOT NULL,          -- {train, val, test}
  created_at        TEXT NOT NULL
);

CREATE TABLE runs (
  id               TEXT PRIMARY KEY,        -- a UUID, unique across machines (runs are imported)
  dataset_id       INTEGER NOT NULL REFERENCES datasets(id),
  status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  method_requested TEXT NOT NULL,
  method_final     TEXT,
  config_json      TEXT NOT NULL,
  seed             INTEGER NOT NULL,
  backend_json     TEXT,
  final_accuracy   REAL,
  error            TEXT,
  pid              INTEGER,                 -- the engine process writing the run, to detect a dead one
  host             TEXT,
  created_at       TEXT NOT NULL,
  started_at       TEXT,
  finished_at      TEXT,
  duration_ms      INTEGER,
  note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_created ON runs (created_at);

-- modality and model are '' rather than NULL so that the UNIQUE constraint holds.
CREATE TABLE phases (
  id            INTEGER PRIMARY KEY,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  modality      TEXT NOT NULL DEFAULT '',
  model         TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  duration_ms   INTEGER,
  best_epoch    INTEGER,
  stopped_early INTEGER,
  UNIQUE (run_id, name, modality, model)
);

CREATE TABLE epochs (
  phase_id       INTEGER NOT NULL REFERENCES phases(id) ON DELETE CASCADE,
  epoch          INTEGER NOT NULL,
  train_loss     REAL NOT NULL,
  train_accuracy REAL NOT NULL,
  val_loss       REAL NOT NULL,
  val_accuracy   REAL NOT NULL,
  learning_rate  REAL NOT NULL,
  duration_ms    INTEGER NOT NULL,
  PRIMARY KEY (phase_id, epoch)
);

CREATE TABLE decisions (
  run_id                       TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  method                       TEXT NOT NULL,
  overridden                   INTEGER NOT NULL,
  linear_probe_accuracy        REAL NOT NULL,
  averaged_prediction_accuracy REAL NOT NULL,
  slice_accuracy_json          TEXT NOT NULL,
  interval_low                 REAL NOT NULL,
  interval_high                REAL NOT NULL,
  split                        TEXT NOT NULL,
  user_override                TEXT          -- set when the user overrides the choice in the app
);

CREATE TABLE evaluations (
  run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model          TEXT NOT NULL,
  split          TEXT NOT NULL,
  accuracy       REAL NOT NULL,
  macro_f1       REAL NOT NULL,
  per_class_json TEXT NOT NULL,
  confusion_json TEXT NOT NULL,
  PRIMARY KEY (run_id, model, split)
);

CREATE TABLE laziness (
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  modality    TEXT NOT NULL,
  teacher     REAL NOT NULL,
  late_fusion REAL NOT NULL,
  umt         REAL,
  PRIMARY KEY (run_id, modality)
);

CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('model', 'checkpoint')),
  path       TEXT NOT NULL,
  phase      TEXT NOT NULL DEFAULT '',
  epoch      INTEGER,
  created_at TEXT NOT NULL
);

CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tag    TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
);
