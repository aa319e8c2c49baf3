import os from 'node:os';
import type Database from 'better-sqlite3';
import type { LeftOutSample, ValidationReport } from '../protocol/dataset';
import type { ChosenMethod, MethodId, PhaseRef, RunConfig, RunEvent, RunResult } from '../protocol/run';
import type { RunStatus } from '../protocol/store';
import { CANDIDATES, DECISIONS, EPOCHS, EVALUATIONS, FINAL_CHOICES, inserter, LAZINESS, RESULTS } from './tables';

const now = () => new Date().toISOString();

/** Records a dataset once per fingerprint (a changed dataset is a new row); returns its id. */
export function upsertDataset(db: Database.Database, report: ValidationReport): number {
  const existing = db.prepare('SELECT id FROM datasets WHERE fingerprint = ?').get(report.fingerprint) as
    { id: number } | undefined;
  if (existing) return existing.id;
  const info = db
    .prepare(
      `INSERT INTO datasets (fingerprint, path, name, format, modalities_json, classes_json, split_rule, split_counts_json, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      report.fingerprint,
      report.path,
      report.name,
      report.format,
      JSON.stringify(report.modalities.map(({ name, kind, shape, source }) => ({ name, kind, shape, source }))),
      JSON.stringify(report.classes),
      report.splitRule ?? 'manifest',
      JSON.stringify(report.splits),
      now(),
    );
  return Number(info.lastInsertRowid);
}

export function createRun(
  db: Database.Database,
  runId: string,
  datasetId: number,
  config: RunConfig,
  leftOut: LeftOutSample[] = [],
  modelDir: string | null = null,
): void {
  db.prepare(
    `INSERT INTO runs (id, dataset_id, status, method_requested, config_json, seed, seeds, pid, host, created_at, started_at, left_out_json, model_dir)
    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    datasetId,
    config.method,
    JSON.stringify(config),
    config.seed,
    config.seeds,
    process.pid,
    os.hostname(),
    now(),
    now(),
    JSON.stringify(leftOut),
    modelDir,
  );
}

/** The model folder the run claimed when it started, where its resume saves too (null for older runs). */
export function claimedModelDir(db: Database.Database, runId: string): string | null {
  return (
    (db.prepare('SELECT model_dir FROM runs WHERE id = ?').get(runId) as { model_dir: string | null } | undefined)
      ?.model_dir ?? null
  );
}

/**
 * Turns the pipeline's events into rows as they happen, so that a run killed mid-way keeps every finished
 * epoch. Batch events are not stored (they only drive progress bars).
 */
export function eventRecorder(db: Database.Database, runId: string): (event: RunEvent) => void {
  const runSeed =
    (db.prepare('SELECT seed FROM runs WHERE id = ?').get(runId) as { seed: number } | undefined)?.seed ?? 0;
  const phaseKey = (p: PhaseRef) => [runId, p.seed ?? runSeed, p.phase, p.modality ?? '', p.model ?? ''] as const;
  const startPhase =
    db.prepare(`INSERT INTO phases (run_id, seed, name, modality, model, status, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?)
    ON CONFLICT (run_id, seed, name, modality, model) DO UPDATE SET status = 'running', started_at = excluded.started_at, finished_at = NULL`);
  const finishPhase =
    db.prepare(`UPDATE phases SET status = 'completed', finished_at = ?, duration_ms = ?, best_epoch = ?, stopped_early = ?
    WHERE run_id = ? AND seed = ? AND name = ? AND modality = ? AND model = ?`);
  const findPhase = db.prepare(
    'SELECT id FROM phases WHERE run_id = ? AND seed = ? AND name = ? AND modality = ? AND model = ?',
  );
  const insertEpoch = inserter(db, EPOCHS, 'replace');
  const insertDecision = inserter(db, DECISIONS, 'replace');
  const insertEvaluation = inserter(db, EVALUATIONS, 'replace');
  const insertResult = inserter(db, RESULTS, 'replace');
  const insertFinal = inserter(db, FINAL_CHOICES, 'replace');
  return (event) => {
    switch (event.type) {
      case 'started':
        db.prepare('UPDATE runs SET backend_json = ? WHERE id = ?').run(JSON.stringify(event.backend), runId);
        return;
      case 'phase-started':
        startPhase.run(...phaseKey(event), now());
        return;
      case 'phase-finished':
        finishPhase.run(
          now(),
          event.durationMs,
          event.bestEpoch ?? null,
          event.stoppedEarly === undefined ? null : Number(event.stoppedEarly),
          ...phaseKey(event),
        );
        return;
      case 'epoch': {
        const phase = findPhase.get(...phaseKey(event)) as { id: number } | undefined;
        if (!phase) return;
        insertEpoch(phase.id, event);
        return;
      }
      case 'decision': {
        const d = event.decision;
        insertDecision(runId, d);
        db.prepare('UPDATE runs SET method_final = ? WHERE id = ?').run(d.method, runId);
        return;
      }
      case 'evaluation': {
        const e = event.evaluation;
        db.transaction(() => {
          insertEvaluation(runId, e);
          insertResult(runId, { seed: e.seed, model: e.model, split: e.split, metric: 'accuracy', value: e.accuracy });
          insertResult(runId, { seed: e.seed, model: e.model, split: e.split, metric: 'macro-f1', value: e.macroF1 });
        })();
        return;
      }
      case 'final': {
        insertFinal(runId, event.final);
        return;
      }
      case 'batch':
      case 'log':
        return;
      default:
        console.warn(`Run store: unknown event ${JSON.stringify(event satisfies never)}`);
    }
  };
}

/**
 * Marks a run completed with what only its end knows: the candidates (and where each one's model folder is),
 * the laziness probes and verdicts, the notices, and the final model folder.
 */
export function completeRun(
  db: Database.Database,
  runId: string,
  result: RunResult,
  modelDir: string,
  candidateFolders: Record<MethodId, string>,
): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE runs SET status = 'completed', method_final = ?, backend_json = ?, final_accuracy = ?, finished_at = ?, duration_ms = ?, waiting_ms = ?, error = NULL,
      notices_json = ?, laziness_verdicts_json = ? WHERE id = ?`,
    ).run(
      result.decision.method,
      JSON.stringify(result.backend),
      result.final.test.mean,
      now(),
      result.durationMs,
      Math.round(result.waitingMs ?? 0),
      JSON.stringify(result.notices),
      JSON.stringify(result.lazinessVerdicts),
      runId,
    );
    const insertLaziness = inserter(db, LAZINESS, 'replace');
    for (const row of result.laziness) insertLaziness(runId, row);
    const insertCandidate = inserter(db, CANDIDATES, 'replace');
    Object.values(result.candidates).forEach((c, position) =>
      insertCandidate(runId, { ...c, position, modelPath: candidateFolders[c.method] ?? null }),
    );
    db.prepare("INSERT INTO artifacts (run_id, kind, path, phase, created_at) VALUES (?, 'model', ?, ?, ?)").run(
      runId,
      modelDir,
      result.final.method,
      now(),
    );
  })();
}

/** Ends a run that did not complete; phases still running take the same status. */
export function endRun(
  db: Database.Database,
  runId: string,
  status: Exclude<RunStatus, 'completed' | 'running' | 'queued'>,
  error: string,
): void {
  db.transaction(() => {
    db.prepare('UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, now(), runId);
    db.prepare("UPDATE phases SET status = ? WHERE run_id = ? AND status = 'running'").run(
      status === 'cancelled' ? 'cancelled' : 'failed',
      runId,
    );
  })();
}

export function recordArtifact(db: Database.Database, runId: string, kind: 'model' | 'checkpoint', file: string): void {
  db.prepare('INSERT INTO artifacts (run_id, kind, path, phase, created_at) VALUES (?, ?, ?, ?, ?)').run(
    runId,
    kind,
    file,
    '',
    now(),
  );
}

/** Takes an interrupted, cancelled or failed run up again in this process. */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'cancelled', 'failed'];

/**
 * Takes a resumable run for this process: one conditional UPDATE, so that of two processes resuming the same
 * run at once exactly one gets it (SQLite serialises writers); the row's pid and host are the lease, which
 * `openStore` releases (marks interrupted) when that process is gone. Returns the status it had, or null
 * when another process holds it or it is not resumable.
 */
export function claimForResume(
  db: Database.Database,
  runId: string,
): { status: RunStatus; error: string | null } | null {
  return db
    .transaction(() => {
      const before = db.prepare('SELECT status, error FROM runs WHERE id = ?').get(runId) as
        { status: RunStatus; error: string | null } | undefined;
      if (!before || !RESUMABLE_STATUSES.includes(before.status)) return null;
      db.prepare(
        "UPDATE runs SET status = 'running', pid = ?, host = ?, error = NULL, finished_at = NULL WHERE id = ?",
      ).run(process.pid, os.hostname(), runId);
      return before;
    })
    .immediate();
}

/** Gives a claimed run back as it was, when its resume could not start (the data changed, say). */
export function releaseClaim(
  db: Database.Database,
  runId: string,
  before: { status: RunStatus; error: string | null },
): void {
  db.prepare("UPDATE runs SET status = ?, error = ?, pid = NULL WHERE id = ? AND status = 'running' AND pid = ?").run(
    before.status,
    before.error,
    runId,
    process.pid,
  );
}

/** Marks a run as one that waits at its decision for the user's answer (started from the app). */
export function markConfirmsDecision(db: Database.Database, runId: string): void {
  db.prepare('UPDATE runs SET confirm_decision = 1 WHERE id = ?').run(runId);
}

/** The user answered the run's decision: a resume goes on without asking again. */
export function markDecisionConfirmed(db: Database.Database, runId: string): void {
  db.prepare('UPDATE runs SET decision_confirmed = 1 WHERE id = ?').run(runId);
}

/** Whether a resume of this run from the app should wait for the user's decision: it asked, and got no answer yet. */
export function decisionStillOpen(db: Database.Database, runId: string): boolean {
  const row = db.prepare('SELECT confirm_decision, decision_confirmed FROM runs WHERE id = ?').get(runId) as
    { confirm_decision: number; decision_confirmed: number } | undefined;
  return row !== undefined && row.confirm_decision === 1 && row.decision_confirmed === 0;
}

/**
 * Records the method the user confirmed at the decision, as if it had been requested from the start, so that
 * resuming the run goes on with it (the decision is recomputed on resume and marks it overridden if it must).
 */
export function setRequestedMethod(db: Database.Database, runId: string, method: ChosenMethod): void {
  const row = db.prepare('SELECT config_json FROM runs WHERE id = ?').get(runId) as { config_json: string } | undefined;
  if (!row) return;
  const config = { ...(JSON.parse(row.config_json) as RunConfig), method };
  db.prepare('UPDATE runs SET method_requested = ?, config_json = ? WHERE id = ?').run(
    method,
    JSON.stringify(config),
    runId,
  );
}
