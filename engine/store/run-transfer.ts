import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { readCard } from '../model/model-card';
import { copyModelFolder, readNetworkFiles } from '../model/model-folder';
import { isAbsentOrEmptyFolder, isInside, makeFolder, realPathOf } from '../util/folders';
import { methodLabel, type Evaluation } from '../protocol/run';
import type { ImportOutcome, RunExport, StoredPhase, StoredRun } from '../protocol/store';
import { getRun } from './run-reader';
import { AppError } from '../protocol/errors';
import type { RunConfig } from '../protocol/run';
import { resolveConfig } from '../method/config';
import { checkExport } from './run-export-schema';
import { CANDIDATES, DECISIONS, EPOCHS, EVALUATIONS, FINAL_CHOICES, inserter, LAZINESS, RESULTS } from './tables';

export function exportRun(db: Database.Database, idOrPrefix: string): RunExport {
  const run = getRun(db, idOrPrefix);
  if (!run) throw new AppError('config', `No run "${idOrPrefix}" in the database; runs list shows the ids.`);
  return { format: 'modality-studio-run', version: 2, exportedAt: new Date().toISOString(), run };
}

/**
 * Adds an exported run (say, trained headless on a GPU server) to this database. Its id is kept unless this
 * database already has a run with that id, in which case the import gets a new one.
 *
 * An export's artifact paths are only text, possibly edited: none is recorded as it is written. A model
 * folder that exists here and holds a valid model card is copied into `modelsDir/ID/model` (the app's own
 * data folder) and that copy is recorded; checkpoints and anything that is not a model are dropped and
 * listed, so no later call (model:export, resume) can be pointed at an arbitrary folder through an import.
 */
export function importRun(db: Database.Database, data: unknown, modelsDir: string): ImportOutcome {
  // Everything is checked before anything is written: the schema, then the settings by the run's own rules.
  const checked = checkExport(data);
  const run =
    checked.version === 1 ? upgradeVersion1(checked.run as unknown as RunV1) : (checked.run as unknown as StoredRun);
  checkImportedConfig(run.config);
  const taken = db.prepare('SELECT 1 FROM runs WHERE id = ?').get(run.id);
  const id = taken ? crypto.randomUUID() : run.id;
  const runFolder = path.join(modelsDir, id);
  const createdFolder = !fs.existsSync(runFolder);
  try {
    return insertImported(db, run, id, path.join(runFolder, 'model'), Boolean(taken));
  } catch (error) {
    // Nothing of a failed import stays behind: the model copy goes with the rows the transaction rolled back.
    if (createdFolder) fs.rmSync(runFolder, { recursive: true, force: true });
    throw error instanceof AppError
      ? error
      : new AppError('database', `The run could not be imported: ${(error as Error).message}. Nothing was imported.`);
  }
}

/**
 * The imported run's settings, checked by the same rules as a new run's (an older export lacks the newer
 * settings: their defaults count). Stored as exported, as a migrated database keeps its runs' configs.
 */
function checkImportedConfig(config: unknown): void {
  try {
    resolveConfig(config as Partial<RunConfig>);
  } catch (error) {
    throw new AppError(
      'config',
      `The export cannot be imported: run.config is not a valid run config (${(error as Error).message}). Nothing was imported.`,
    );
  }
}

function insertImported(
  db: Database.Database,
  run: StoredRun,
  id: string,
  modelTarget: string,
  renamed: boolean,
): ImportOutcome {
  const { artifacts, model, dropped } = importArtifacts(run.artifacts ?? [], modelTarget);
  const exportedModel = model ? run.artifacts?.find((a) => a.kind === 'model')?.path : undefined;
  // A candidate's folder inside the exported model folder is found again inside the copy; any other is not kept.
  const candidatePath = (p: string | null) =>
    p && model && exportedModel && isInside(p, exportedModel)
      ? path.join(model, path.relative(exportedModel, p))
      : null;
  db.transaction(() => {
    const d = run.dataset;
    db.prepare(
      `INSERT INTO datasets (fingerprint, path, name, format, modalities_json, classes_json, split_rule, split_counts_json, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING`,
    ).run(
      d.fingerprint,
      d.path,
      d.name,
      d.format,
      JSON.stringify(d.modalities),
      JSON.stringify(d.classes),
      d.splitRule,
      JSON.stringify(d.splits),
      run.createdAt,
    );
    const datasetId = (db.prepare('SELECT id FROM datasets WHERE fingerprint = ?').get(d.fingerprint) as { id: number })
      .id;
    db.prepare(
      `INSERT INTO runs (id, dataset_id, status, method_requested, method_final, config_json, seed, seeds, backend_json, final_accuracy, error, created_at, started_at, finished_at, duration_ms, waiting_ms, left_out_json, note, notices_json, laziness_verdicts_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      datasetId,
      run.status === 'running' ? 'interrupted' : run.status,
      run.methodRequested,
      run.method,
      JSON.stringify(run.config),
      run.seed,
      run.seeds.length,
      run.backend ? JSON.stringify(run.backend) : null,
      run.final,
      run.error,
      run.createdAt,
      run.startedAt,
      run.finishedAt,
      run.durationMs,
      run.waitingMs ?? 0,
      JSON.stringify(run.leftOut ?? []),
      run.note,
      JSON.stringify(run.notices),
      JSON.stringify(run.lazinessVerdicts),
    );
    const insertPhase = db.prepare(
      'INSERT INTO phases (run_id, seed, name, modality, model, status, started_at, finished_at, duration_ms, best_epoch, stopped_early) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertEpoch = inserter(db, EPOCHS, 'insert');
    for (const p of run.phases) {
      const phaseId = Number(
        insertPhase.run(
          id,
          p.seed,
          p.name,
          p.modality ?? '',
          p.model ?? '',
          p.status === 'running' ? 'interrupted' : p.status,
          p.startedAt,
          p.finishedAt,
          p.durationMs,
          p.bestEpoch,
          p.stoppedEarly === null ? null : Number(p.stoppedEarly),
        ).lastInsertRowid,
      );
      for (const e of p.epochs) insertEpoch(phaseId, e);
    }
    if (run.decision) inserter(db, DECISIONS, 'insert')(id, run.decision);
    const insertEvaluation = inserter(db, EVALUATIONS, 'insert');
    for (const e of run.evaluations) insertEvaluation(id, e);
    const insertResult = inserter(db, RESULTS, 'insert');
    for (const r of run.results) insertResult(id, r);
    const insertLaziness = inserter(db, LAZINESS, 'insert');
    for (const l of run.laziness) insertLaziness(id, l);
    const insertCandidate = inserter(db, CANDIDATES, 'insert');
    run.candidates.forEach((c, position) =>
      insertCandidate(id, { ...c, position, modelPath: candidatePath(c.modelPath) }),
    );
    if (run.finalChoice) inserter(db, FINAL_CHOICES, 'insert')(id, run.finalChoice);
    const insertArtifact = db.prepare(
      'INSERT INTO artifacts (run_id, kind, path, phase, epoch, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const a of artifacts) insertArtifact.run(id, a.kind, a.path, a.phase, a.epoch, a.createdAt);
    const insertTag = db.prepare('INSERT INTO tags (run_id, tag) VALUES (?, ?)');
    for (const tag of run.tags) insertTag.run(id, tag);
  })();
  return { id, renamed, model, dropped };
}

/** What `runs export` wrote before runs had seeds and candidates (schema version 1). */
type RunV1 = Omit<
  StoredRun,
  | 'seeds'
  | 'candidates'
  | 'finalChoice'
  | 'results'
  | 'laziness'
  | 'lazinessVerdicts'
  | 'notices'
  | 'evaluations'
  | 'phases'
> & {
  evaluations: Omit<Evaluation, 'seed'>[];
  phases: Omit<StoredPhase, 'seed'>[];
  laziness: Record<string, { teacher: number; lateFusion: number; umt?: number }>;
};

const V1_PROBE_MODELS: Record<string, string> = { lateFusion: 'late-fusion', umt: 'umt' };

/** The registry's order, as migrations/0002 gives it to version 1 runs. */
const v1Position = (model: string) => ['late-fusion', 'ume', 'umt'].indexOf(model) >>> 0;

/** Converts a version 1 export as migrations/0002 converts a version 1 database. */
function upgradeVersion1(run: RunV1): StoredRun {
  const seed = run.seed;
  const evaluations = run.evaluations.filter((e) => e.model !== 'final').map((e) => ({ ...e, seed }));
  const results = evaluations.flatMap((e) => [
    { seed, model: e.model, split: e.split, metric: 'accuracy' as const, value: e.accuracy },
    { seed, model: e.model, split: e.split, metric: 'macro-f1' as const, value: e.macroF1 },
  ]);
  return {
    ...run,
    seeds: [seed],
    evaluations,
    results,
    phases: run.phases.map((p) => ({
      ...p,
      seed,
      ...(p.model
        ? { model: p.model === 'teacher' ? `teacher:${p.modality ?? ''}` : (V1_PROBE_MODELS[p.model] ?? p.model) }
        : {}),
    })),
    laziness: Object.entries(run.laziness).flatMap(([modality, row]) => [
      { seed, modality, model: `teacher:${modality}`, accuracy: row.teacher },
      { seed, modality, model: 'late-fusion', accuracy: row.lateFusion },
      ...(row.umt === undefined ? [] : [{ seed, modality, model: 'umt', accuracy: row.umt }]),
    ]),
    candidates: evaluations
      .filter((e) => e.split === 'test')
      .sort((a, b) => v1Position(a.model) - v1Position(b.model))
      .map((e) => ({
        method: e.model,
        label: methodLabel(e.model),
        ...(e.model === 'umt' && typeof run.config.distillWeight === 'number'
          ? { distillWeight: run.config.distillWeight }
          : {}),
        val: null,
        test: { mean: e.accuracy, sd: 0, perSeed: [e.accuracy] },
        trainingMs: null,
        // Version 1 saved the final model only, as the run's model folder.
        modelPath: e.model === run.method ? (run.artifacts.find((a) => a.kind === 'model')?.path ?? null) : null,
      })),
    finalChoice:
      run.status === 'completed' && run.method
        ? {
            method: run.method,
            recommended: run.method as 'umt' | 'ume',
            overridden: run.decision?.overridden ?? false,
            best: null,
            interval: null,
            reason:
              'The method the decision went on with (this run was made before final models were chosen on the validation split).',
          }
        : null,
    lazinessVerdicts: [],
    notices: [],
  };
}

function importArtifacts(
  artifacts: StoredRun['artifacts'],
  modelTarget: string,
): { artifacts: StoredRun['artifacts']; model: string | null; dropped: string[] } {
  const kept: StoredRun['artifacts'] = [];
  const dropped: string[] = [];
  let model: string | null = null;
  for (const artifact of artifacts) {
    if (artifact.kind !== 'model') {
      dropped.push(`${artifact.kind} ${artifact.path}: checkpoints stay on the machine that trained the run`);
      continue;
    }
    const problem = model ? 'a second model folder' : modelFolderProblem(artifact.path);
    if (problem) {
      dropped.push(`model ${artifact.path}: ${problem}`);
      continue;
    }
    const same = realPathOf(artifact.path) === realPathOf(modelTarget);
    if (!same && (isInside(modelTarget, artifact.path) || isInside(artifact.path, modelTarget))) {
      dropped.push(`model ${artifact.path}: it overlaps ${modelTarget}, where the copy would go`);
      continue;
    }
    if (same) {
      model = modelTarget; // exported from this app's own data folder: the files are already where they belong
    } else if (!isAbsentOrEmptyFolder(modelTarget)) {
      dropped.push(`model ${artifact.path}: ${modelTarget} already holds files, which an import does not overwrite`);
      continue;
    } else {
      makeFolder(path.dirname(modelTarget));
      const skipped = copyModelFolder(artifact.path, modelTarget);
      if (skipped.length > 0)
        dropped.push(
          `model ${artifact.path}: ${skipped.join(', ')} left out of the copy (not plain files: links, FIFOs or devices)`,
        );
      model = modelTarget;
    }
    kept.push({ ...artifact, path: model });
  }
  return { artifacts: kept, model, dropped };
}

/** Why `dir` is not a model folder written by `run` (readable here, with a valid model card), or null. */
function modelFolderProblem(dir: string): string | null {
  if (typeof dir !== 'string' || !path.isAbsolute(dir) || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    return 'not a folder on this machine';
  try {
    const card = readCard(dir);
    card.networks.forEach((n) => readNetworkFiles(dir, n.path));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
