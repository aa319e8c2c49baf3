import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/dataset-folder';
import type { ValidationReport } from '../protocol/dataset';
import type { RunEvent, RunResult } from '../protocol/run';
import { resolveConfig } from '../method/config';
import { loadMigrations, migrate } from './migrate';
import { MIGRATIONS_DIR, openStore } from './open-store';
import { listRuns } from './run-list';
import { getRun } from './run-reader';
import { completeRun, createRun, endRun, eventRecorder, upsertDataset } from './run-writer';
import { exportRun, importRun } from './run-transfer';

const folders: string[] = [];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
function dbFile(): string {
  const dir = makeTempDir('store');
  folders.push(dir);
  return path.join(dir, 'runs.sqlite');
}

const report: ValidationReport = {
  ok: true,
  path: '/data/crops',
  name: 'crops',
  format: 'csv',
  samples: 10,
  classes: ['a', 'b'],
  modalities: [
    { name: 'x', kind: 'vector', shape: [3], source: 'columns' },
    { name: 'y', kind: 'vector', shape: [2], source: 'columns' },
  ],
  splits: { train: 6, val: 2, test: 2 },
  splitRule: 'manifest',
  fingerprint: 'f'.repeat(64),
  errors: [],
  errorCount: 0,
  warnings: [],
  warningCount: 0,
};

/** A run's worth of events as the pipeline emits them (two teacher epochs, a decision, an evaluation). */
function recordSampleRun(db: Database.Database, runId: string, phaseEpochs = 2): void {
  createRun(db, runId, upsertDataset(db, report), resolveConfig({ seed: 3 }));
  const record = eventRecorder(db, runId);
  const events: RunEvent[] = [
    { type: 'started', backend: { name: 'cpu', tfBackend: 'cpu', version: '4.22.0', threads: 1 } },
    { type: 'phase-started', phase: 'teacher', modality: 'x' },
    ...Array.from({ length: phaseEpochs }, (_, i): RunEvent => ({
      type: 'epoch',
      phase: 'teacher',
      modality: 'x',
      epoch: i + 1,
      trainLoss: 1 / (i + 1),
      trainAccuracy: 0.5,
      valLoss: 0.9,
      valAccuracy: 0.6,
      learningRate: 0.001,
      durationMs: 10,
    })),
    { type: 'phase-finished', phase: 'teacher', modality: 'x', durationMs: 20, bestEpoch: 2, stoppedEarly: false },
    {
      type: 'decision',
      decision: {
        method: 'ume',
        overridden: false,
        linearProbeAccuracy: 0.7,
        averagedPredictionAccuracy: 0.8,
        sliceAccuracy: { x: 0.6, y: 0.5 },
        differenceInterval: [-0.2, 0.05],
        split: 'val',
      },
    },
    {
      type: 'evaluation',
      evaluation: {
        model: 'ume',
        seed: 3,
        split: 'val',
        accuracy: 0.5,
        macroF1: 0.4,
        perClassAccuracy: [0.5, 0.5],
        confusion: [
          [1, 1],
          [1, 1],
        ],
      },
    },
    {
      type: 'evaluation',
      evaluation: {
        model: 'ume',
        seed: 3,
        split: 'test',
        accuracy: 0.75,
        macroF1: 0.7,
        perClassAccuracy: [0.8, 0.7],
        confusion: [
          [4, 1],
          [1, 4],
        ],
      },
    },
    {
      type: 'final',
      final: {
        method: 'ume',
        recommended: 'ume',
        overridden: false,
        best: 'ume',
        interval: null,
        reason: 'UME has the best validation accuracy.',
        val: stat(0.5),
        test: stat(0.75),
      },
    },
  ];
  events.forEach(record);
}

function stat(value: number) {
  return { mean: value, sd: 0, perSeed: [value] };
}

const result = {
  decision: { method: 'ume' },
  backend: { name: 'cpu', tfBackend: 'cpu', version: '4.22.0', threads: 1 },
  final: { method: 'ume', test: stat(0.75) },
  candidates: { ume: { method: 'ume', label: 'UME', val: stat(0.5), test: stat(0.75), trainingMs: 0 } },
  durationMs: 1234,
  laziness: [
    { seed: 3, modality: 'x', model: 'teacher:x', accuracy: 0.7 },
    { seed: 3, modality: 'x', model: 'late-fusion', accuracy: 0.5 },
  ],
  lazinessVerdicts: [],
  notices: ['a notice'],
} as unknown as RunResult;

describe('run store', () => {
  it('creates the schema on a fresh database and records a run as it happens', () => {
    const store = openStore(dbFile());
    expect(store.db.pragma('user_version', { simple: true })).toBe(loadMigrations(MIGRATIONS_DIR).length);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    recordSampleRun(store.db, 'run-1');
    completeRun(store.db, 'run-1', result, '/models/run-1', { ume: '/models/run-1/ume' });
    const run = getRun(store.db, 'run-1')!;
    expect(run).toMatchObject({
      status: 'completed',
      method: 'ume',
      final: 0.75,
      seed: 3,
      backend: { name: 'cpu' },
      dataset: { name: 'crops', classes: ['a', 'b'] },
    });
    expect(run.phases[0]).toMatchObject({
      name: 'teacher',
      modality: 'x',
      status: 'completed',
      bestEpoch: 2,
      stoppedEarly: false,
    });
    expect(run.phases[0]!.epochs.map((e) => e.trainLoss)).toEqual([1, 0.5]);
    expect(run.decision).toMatchObject({
      method: 'ume',
      differenceInterval: [-0.2, 0.05],
      sliceAccuracy: { x: 0.6, y: 0.5 },
    });
    expect(run.evaluations[1]).toMatchObject({
      model: 'ume',
      seed: 3,
      split: 'test',
      confusion: [
        [4, 1],
        [1, 4],
      ],
    });
    expect(run.results).toContainEqual({ seed: 3, model: 'ume', split: 'test', metric: 'macro-f1', value: 0.7 });
    expect(run.candidates).toEqual([
      { method: 'ume', label: 'UME', val: stat(0.5), test: stat(0.75), trainingMs: 0, modelPath: '/models/run-1/ume' },
    ]);
    expect(run.finalChoice).toEqual({
      method: 'ume',
      recommended: 'ume',
      overridden: false,
      best: 'ume',
      interval: null,
      reason: 'UME has the best validation accuracy.',
    });
    expect(run.laziness).toEqual([
      { seed: 3, modality: 'x', model: 'late-fusion', accuracy: 0.5 },
      { seed: 3, modality: 'x', model: 'teacher:x', accuracy: 0.7 },
    ]);
    expect(run.notices).toEqual(['a notice']);
    expect(run.artifacts).toMatchObject([{ kind: 'model', path: '/models/run-1' }]);
    store.db.close();
  });

  it('migrates an older database in place, keeping its rows and a copy of the old file', () => {
    const file = dbFile();
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, migrations, file);
    recordSampleRun(db, 'old-run');
    const next = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: '9999-test.sql',
        sql: "ALTER TABLE runs ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue';",
      },
    ];
    const backup = migrate(db, next, file);
    expect(db.pragma('user_version', { simple: true })).toBe(next.length);
    expect(db.prepare('SELECT colour FROM runs WHERE id = ?').get('old-run')).toEqual({ colour: 'blue' });
    expect(backup && fs.existsSync(backup)).toBe(true);
    const old = new Database(backup!, { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(old.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 1 });
    old.close();
    db.close();
  });

  it('refuses a database newer than the app, naming both versions', () => {
    const file = dbFile();
    openStore(file).db.close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const known = loadMigrations(MIGRATIONS_DIR).length;
    expect(() => openStore(file)).toThrow(new RegExp(`schema version 99.*up to ${known}`));
  });

  it('marks a run whose process died as interrupted when the store is next opened, keeping its epochs', async () => {
    const file = dbFile();
    const store = openStore(file);
    recordSampleRun(store.db, 'killed');
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    store.db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(deadPid, 'killed');
    store.db.prepare("UPDATE phases SET status = 'running' WHERE run_id = ?").run('killed');
    store.db.close();
    const reopened = openStore(file);
    expect(reopened.interrupted).toEqual(['killed']);
    const run = getRun(reopened.db, 'killed')!;
    expect(run.status).toBe('interrupted');
    expect(run.phases[0]).toMatchObject({ status: 'interrupted' });
    expect(run.phases[0]!.epochs).toHaveLength(2);
    expect(reopened.db.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.db.close();
  });

  it('lets a reader list runs while the writer records one', () => {
    const file = dbFile();
    const writer = openStore(file);
    recordSampleRun(writer.db, 'live', 1);
    const reader = openStore(file, { readonly: true });
    const record = eventRecorder(writer.db, 'live');
    for (let epoch = 2; epoch <= 20; epoch += 1) {
      record({
        type: 'epoch',
        phase: 'teacher',
        modality: 'x',
        epoch,
        trainLoss: 1,
        trainAccuracy: 0.5,
        valLoss: 1,
        valAccuracy: 0.5,
        learningRate: 0.001,
        durationMs: 1,
      });
      expect(listRuns(reader.db).runs.map((r) => r.status)).toEqual(['running']);
      expect(getRun(reader.db, 'live')!.phases[0]!.epochs).toHaveLength(epoch);
    }
    endRun(writer.db, 'live', 'cancelled', 'The run was cancelled.');
    expect(listRuns(reader.db).runs[0]!.status).toBe('cancelled');
    reader.db.close();
    writer.db.close();
  });

  it('round-trips a run through export and import into a second database', () => {
    const source = openStore(dbFile());
    recordSampleRun(source.db, 'travelling');
    completeRun(source.db, 'travelling', result, '/models/travelling', { ume: '/models/travelling/ume' });
    source.db.prepare("INSERT INTO tags (run_id, tag) VALUES ('travelling', 'gpu-server')").run();
    const exported = exportRun(source.db, 'trav');
    const target = openStore(dbFile());
    const modelsDir = path.join(path.dirname(dbFile()), 'imported-models');
    // The model folder /models/travelling does not exist here: the run comes without it, and says so.
    expect(importRun(target.db, JSON.parse(JSON.stringify(exported)), modelsDir)).toEqual({
      id: 'travelling',
      renamed: false,
      model: null,
      dropped: ['model /models/travelling: not a folder on this machine'],
    });
    const withoutModel = {
      ...exported.run,
      artifacts: [],
      candidates: exported.run.candidates.map((c) => ({ ...c, modelPath: null })),
    };
    expect(getRun(target.db, 'travelling')).toEqual(withoutModel);
    const again = importRun(target.db, exported, modelsDir);
    expect(again.renamed).toBe(true);
    expect({ ...getRun(target.db, again.id)!, id: 'travelling' }).toEqual(withoutModel);
    expect(() => importRun(target.db, { format: 'something-else' }, modelsDir)).toThrow(
      /not a run exported by Modality Studio/,
    );
    source.db.close();
    target.db.close();
  });
});
