import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../engine/store/migrate';
import { MIGRATIONS_DIR, openStore } from '../engine/store/open-store';
import { listRuns } from '../engine/store/run-list';
import { getRun } from '../engine/store/run-reader';
import { importRun } from '../engine/store/run-transfer';
import type { StoredRun } from '../engine/protocol/store';
import { makeTempDir } from './helpers/dataset-folder';

/**
 * test/fixtures/runs-v1.sqlite was written by the CLI of commit 3bbdaa1 (schema version 1, before final choices and seeds were recorded):
 * a UMT run (tagged "baseline"), a UME run chosen with --method (with a note), and a run killed mid-way.
 * runs-v1-*.json are `runs export` of the two completed runs by that same version.
 */
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const work = makeTempDir('migration-v1');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface V1Export {
  run: Omit<StoredRun, 'evaluations' | 'laziness' | 'phases'> & {
    evaluations: {
      model: string;
      split: string;
      accuracy: number;
      macroF1: number;
      perClassAccuracy: number[];
      confusion: number[][];
    }[];
    laziness: Record<string, { teacher: number; lateFusion: number; umt?: number }>;
    phases: (StoredRun['phases'][number] & { model?: string })[];
  };
}

const exports = ['runs-v1-umt.json', 'runs-v1-ume.json'].map(
  (f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8')) as V1Export,
);

function openFixture(): ReturnType<typeof openStore> {
  const file = path.join(work, `runs-${Math.random().toString(36).slice(2)}.sqlite`);
  fs.copyFileSync(path.join(FIXTURES, 'runs-v1.sqlite'), file);
  return openStore(file);
}

/** What a version 1 run said, in version 2's terms: the same numbers under method ids, each with its seed. */
function expectSameRun(run: StoredRun, old: V1Export['run']): void {
  const { evaluations, laziness, phases, ...unchanged } = old;
  const { artifacts: _artifacts, ...rest } = unchanged;
  expect(run).toMatchObject(rest);
  expect(run.seeds).toEqual([old.seed]);
  expect(run.evaluations).toEqual(
    evaluations.filter((e) => e.model !== 'final').map((e) => ({ ...e, seed: old.seed })),
  );
  const probeModel = (model?: string, modality?: string) =>
    model === 'teacher' ? `teacher:${modality}` : model === 'lateFusion' ? 'late-fusion' : model;
  expect(run.phases.map((p) => ({ ...p, seed: undefined }))).toEqual(
    phases.map((p) => ({ ...p, seed: undefined, ...(p.model ? { model: probeModel(p.model, p.modality) } : {}) })),
  );
  const entries = Object.entries(laziness).flatMap(([modality, row]) => [
    { seed: old.seed, modality, model: `teacher:${modality}`, accuracy: row.teacher },
    { seed: old.seed, modality, model: 'late-fusion', accuracy: row.lateFusion },
    ...(row.umt === undefined ? [] : [{ seed: old.seed, modality, model: 'umt', accuracy: row.umt }]),
  ]);
  expect([...run.laziness].sort(byKey)).toEqual(entries.sort(byKey));
  const final = evaluations.find((e) => e.model === 'final' && e.split === 'test');
  expect(run.finalChoice?.method).toBe(old.method);
  expect(run.candidates.find((c) => c.method === old.method)?.test?.mean).toBe(final?.accuracy);
  expect(run.candidates.map((c) => c.method).sort()).toEqual(
    evaluations
      .filter((e) => e.model !== 'final')
      .map((e) => e.model)
      .sort(),
  );
}

const byKey = (a: { modality: string; model: string }, b: { modality: string; model: string }) =>
  `${a.modality}/${a.model}`.localeCompare(`${b.modality}/${b.model}`);

describe('a database written before methods and seeds (schema version 1)', () => {
  it('opens migrated to version 2, a copy of the old file beside it, every run shown with its numbers unchanged', () => {
    const store = openFixture();
    expect(store.db.pragma('user_version', { simple: true })).toBe(loadMigrations(MIGRATIONS_DIR).length);
    expect(store.backup && fs.existsSync(store.backup)).toBe(true);
    expect(
      listRuns(store.db).runs.map(({ id, method, status, final, tags, seeds }) => ({
        id: id.slice(0, 8),
        method,
        status,
        final,
        tags,
        seeds,
      })),
    ).toEqual([
      { id: '3be4747b', method: 'auto', status: 'interrupted', final: null, tags: [], seeds: 1 },
      { id: '347387c0', method: 'ume', status: 'completed', final: exports[1]!.run.final, tags: [], seeds: 1 },
      {
        id: '038abfc6',
        method: 'umt',
        status: 'completed',
        final: exports[0]!.run.final,
        tags: ['baseline'],
        seeds: 1,
      },
    ]);
    for (const old of exports) expectSameRun(getRun(store.db, old.run.id)!, old.run);
    expect(getRun(store.db, '347387c0')!.note).toBe('ume forced');
    const interrupted = getRun(store.db, '3be4747b')!;
    expect(interrupted.finalChoice).toBeNull();
    expect(interrupted.phases.filter((p) => p.name === 'teacher').flatMap((p) => p.epochs).length).toBeGreaterThan(0);
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.db.close();
  });

  it('imports a run exported by version 1 as the migration converts it', () => {
    const migrated = openFixture();
    const fresh = openStore(path.join(work, 'fresh.sqlite'));
    for (const old of exports) {
      const outcome = importRun(fresh.db, old, path.join(work, 'models'));
      const imported = getRun(fresh.db, outcome.id)!;
      expectSameRun(imported, old.run);
      const converted = getRun(migrated.db, old.run.id)!;
      const comparable = (run: StoredRun) => ({
        ...run,
        artifacts: [],
        candidates: run.candidates.map((c) => ({ ...c, modelPath: null })),
      });
      expect(comparable(imported)).toEqual(comparable(converted));
    }
    migrated.db.close();
    fresh.db.close();
  });
});
