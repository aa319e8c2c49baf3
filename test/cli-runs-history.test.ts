import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { largeRunDatabase } from '../bench/run-list';
import type { RunPage, StoreCheck } from '../engine/protocol/store';
import { cliWith } from './helpers/cli';
import { tempFolders } from './helpers/dataset-folder';

const folders = tempFolders();
afterAll(() => folders.removeAll());
const home = folders.make('history-cli-home');
const cli = cliWith({
  ...process.env,
  MODALITY_STUDIO_HOME: home,
  MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
} as Record<string, string>);

/** A copy of a generated database of 120 runs, one a minute from 2026-01-01 00:00 UTC, half on synthetic-paired. */
function history(): string {
  const source = largeRunDatabase(folders.make('history-source'), 120);
  const copy = path.join(folders.make('history-copy'), 'runs.sqlite');
  fs.copyFileSync(source, copy);
  return copy;
}

describe('runs list, delete and check on a long history', () => {
  it('lists a page at a time, searched and sorted by the database, and says how many more there are', () => {
    const db = history();
    const page = JSON.parse(cli('runs', 'list', '--db', db, '--limit', '20', '--json').stdout) as RunPage;
    expect(page.runs).toHaveLength(20);
    expect(page.total).toBe(120);
    const searched = JSON.parse(
      cli('runs', 'list', '--db', db, '--search', 'paired', '--sort', 'final:asc', '--limit', '5', '--json').stdout,
    ) as RunPage;
    expect(searched.total).toBe(60);
    expect(searched.runs.map((r) => r.final)).toEqual([...searched.runs.map((r) => r.final)].sort());
    const text = cli('runs', 'list', '--db', db, '--limit', '10', '--offset', '100').stdout;
    expect(text).toContain('10 more of 120 runs: --offset 110');
    const bad = cli('runs', 'list', '--db', db, '--sort', 'final:sideways');
    expect(bad.code).toBe(2);
  });

  it('deletes the runs created before a date (with a status) only when told --yes, and counts them first', () => {
    const db = history();
    const asked = cli('runs', 'delete', '--db', db, '--before', '2026-01-01T00:30:00Z', '--status', 'completed');
    expect(asked.stdout).toContain(
      '30 runs match (created before 2026-01-01T00:30:00Z, completed); nothing deleted. Add --yes',
    );
    expect((JSON.parse(cli('runs', 'list', '--db', db, '--json').stdout) as RunPage).total).toBe(120);
    const done = cli(
      'runs',
      'delete',
      '--db',
      db,
      '--before',
      '2026-01-01T00:30:00Z',
      '--status',
      'completed',
      '--yes',
    );
    expect(done.stdout).toContain('Deleted 30 runs');
    expect((JSON.parse(cli('runs', 'list', '--db', db, '--json').stdout) as RunPage).total).toBe(90);
    expect(cli('runs', 'delete', '--db', db, '--status', 'failed', '--yes').stdout).toContain(
      'No run matches (failed)',
    );
    const unbounded = cli('runs', 'delete', '--db', db, '--yes');
    expect(unbounded.code).not.toBe(0);
    expect(unbounded.stderr).toContain('Say which runs to delete');
  });

  it("checks the database with SQLite's quick_check and says its size per run and per epoch row", () => {
    const db = history();
    const check = JSON.parse(cli('runs', 'check', '--db', db, '--json').stdout) as StoreCheck;
    expect(check).toMatchObject({ ok: true, problems: [], runs: 120, epochRows: 0 });
    expect(check.bytes).toBe(fs.statSync(db).size);
    expect(cli('runs', 'check', '--db', db).stdout).toContain('The run database is sound (quick_check: ok).');
  });
});
