-- Modality Studio run store, version 2: results keyed by method id and seed (issue 11). Runs of version 1 are
-- converted: their one seed is runs.seed, their final model the method the decision went on with.
-- Applied with foreign keys off (engine/store/migrate.ts), as SQLite's table-rebuild procedure requires.

ALTER TABLE runs ADD COLUMN seeds INTEGER NOT NULL DEFAULT 1;
-- Things the user should know about the advice, and each modality's laziness verdict, as the run wrote them.
ALTER TABLE runs ADD COLUMN notices_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN laziness_verdicts_json TEXT NOT NULL DEFAULT '[]';
-- A method's extra loss terms (UMT's distillation) apart from the total, so curves can show them apart.
ALTER TABLE epochs ADD COLUMN train_extra_loss REAL;

-- Phases are repeated per seed: the seed joins their key.
CREATE TABLE phases_v2 (
  id            INTEGER PRIMARY KEY,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seed          INTEGER NOT NULL,
  name          TEXT NOT NULL,
  modality      TEXT NOT NULL DEFAULT '',
  model         TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  duration_ms   INTEGER,
  best_epoch    INTEGER,
  stopped_early INTEGER,
  UNIQUE (run_id, seed, name, modality, model)
);
INSERT INTO phases_v2 (id, run_id, seed, name, modality, model, status, started_at, finished_at, duration_ms, best_epoch, stopped_early)
  SELECT p.id, p.run_id, r.seed, p.name, p.modality,
         CASE p.model WHEN 'teacher' THEN 'teacher:' || p.modality WHEN 'lateFusion' THEN 'late-fusion' ELSE p.model END,
         p.status, p.started_at, p.finished_at, p.duration_ms, p.best_epoch, p.stopped_early
  FROM phases p JOIN runs r ON r.id = p.run_id;
DROP TABLE phases;
ALTER TABLE phases_v2 RENAME TO phases;

-- Evaluations per seed. Version 1 also wrote the final model's evaluation a second time as model 'final';
-- the final model is now named by final_choices.method instead.
CREATE TABLE evaluations_v2 (
  run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seed           INTEGER NOT NULL,
  model          TEXT NOT NULL,
  split          TEXT NOT NULL,
  accuracy       REAL NOT NULL,
  macro_f1       REAL NOT NULL,
  per_class_json TEXT NOT NULL,
  confusion_json TEXT NOT NULL,
  PRIMARY KEY (run_id, seed, model, split)
);
INSERT INTO evaluations_v2 SELECT e.run_id, r.seed, e.model, e.split, e.accuracy, e.macro_f1, e.per_class_json, e.confusion_json
  FROM evaluations e JOIN runs r ON r.id = e.run_id WHERE e.model <> 'final' ORDER BY e.rowid;
DROP TABLE evaluations;
ALTER TABLE evaluations_v2 RENAME TO evaluations;

-- Every number a run reports, one row each.
CREATE TABLE results (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seed   INTEGER NOT NULL,
  model  TEXT NOT NULL,                     -- a method id: late-fusion, ume, umt, teacher:<modality>, …
  split  TEXT NOT NULL CHECK (split IN ('val', 'test')),
  metric TEXT NOT NULL CHECK (metric IN ('accuracy', 'macro-f1')),
  value  REAL NOT NULL,
  PRIMARY KEY (run_id, seed, model, split, metric)
);
INSERT INTO results SELECT run_id, seed, model, split, 'accuracy', accuracy FROM evaluations;
INSERT INTO results SELECT run_id, seed, model, split, 'macro-f1', macro_f1 FROM evaluations;

-- Laziness probes: one row per seed, modality and encoder (the teacher's is model 'teacher:<modality>').
CREATE TABLE laziness_v2 (
  run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seed     INTEGER NOT NULL,
  modality TEXT NOT NULL,
  model    TEXT NOT NULL,
  accuracy REAL NOT NULL,
  PRIMARY KEY (run_id, seed, modality, model)
);
INSERT INTO laziness_v2 SELECT l.run_id, r.seed, l.modality, 'teacher:' || l.modality, l.teacher FROM laziness l JOIN runs r ON r.id = l.run_id;
INSERT INTO laziness_v2 SELECT l.run_id, r.seed, l.modality, 'late-fusion', l.late_fusion FROM laziness l JOIN runs r ON r.id = l.run_id;
INSERT INTO laziness_v2 SELECT l.run_id, r.seed, l.modality, 'umt', l.umt FROM laziness l JOIN runs r ON r.id = l.run_id WHERE l.umt IS NOT NULL;
DROP TABLE laziness;
ALTER TABLE laziness_v2 RENAME TO laziness;

-- The models a run trained, as candidates for its final model.
CREATE TABLE candidates (
  run_id             TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  method             TEXT NOT NULL,
  label              TEXT NOT NULL,
  position           INTEGER NOT NULL,       -- the registry's order
  distill_weight     REAL,
  weight_search_json TEXT,                   -- --distill-weight auto: [{weight, val: {mean, sd, perSeed}}]
  training_ms        INTEGER,
  model_path         TEXT,                   -- its saved model folder (first seed)
  PRIMARY KEY (run_id, method)
);
INSERT INTO candidates (run_id, method, label, position, distill_weight)
  SELECT e.run_id, e.model,
         CASE e.model WHEN 'late-fusion' THEN 'Late fusion' WHEN 'ume' THEN 'UME' WHEN 'umt' THEN 'UMT' ELSE 'Teacher · ' || substr(e.model, 9) END,
         CASE e.model WHEN 'late-fusion' THEN 0 WHEN 'ume' THEN 1 WHEN 'umt' THEN 2 ELSE 3 END,
         CASE e.model WHEN 'umt' THEN json_extract(r.config_json, '$.distillWeight') END
  FROM evaluations e JOIN runs r ON r.id = e.run_id WHERE e.split = 'test';
-- Version 1 saved only the final model, in the run's model folder.
UPDATE candidates SET model_path = (SELECT a.path FROM artifacts a WHERE a.run_id = candidates.run_id AND a.kind = 'model' ORDER BY a.id DESC LIMIT 1)
  WHERE method = (SELECT method_final FROM runs WHERE runs.id = candidates.run_id);

-- Which candidate became the final model, and why.
CREATE TABLE final_choices (
  run_id        TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  method        TEXT NOT NULL,
  recommended   TEXT NOT NULL,
  overridden    INTEGER NOT NULL,
  best          TEXT,                        -- the validation-best candidate (unknown for version 1 runs)
  interval_low  REAL,
  interval_high REAL,
  reason        TEXT NOT NULL
);
INSERT INTO final_choices (run_id, method, recommended, overridden, reason)
  SELECT r.id, r.method_final, r.method_final, COALESCE(d.overridden, 0),
         'The method the decision went on with (this run was made before final models were chosen on the validation split).'
  FROM runs r LEFT JOIN decisions d ON d.run_id = r.id WHERE r.status = 'completed' AND r.method_final IS NOT NULL;
