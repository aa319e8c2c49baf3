/**
 * The run list at scale (`npm run bench:runs`, and a row of `npm run bench`): a database of 100,001 runs
 * (generated rows: two datasets, final choices, decisions, a tag on every hundredth run, the default config),
 * then `runs:list`'s first page of 50, a search, a sort by a setting, and `runs list --limit 20 --json` as a
 * whole process. Times in ms, the median of a few tries (the first page after opening included).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../engine/protocol/run';
import { openStore } from '../engine/store/open-store';
import { listRuns } from '../engine/store/run-list';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface RunListTiming {
  runs: number;
  firstPageMs: number;
  searchMs: number;
  sortBySettingMs: number;
  cliMs: number;
  databaseMb: number;
}

/** A run database of `count` generated runs in `work` (written once). */
export function largeRunDatabase(work: string, count: number): string {
  const file = path.join(work, `runs-${count}.sqlite`);
  if (fs.existsSync(file)) return file;
  const partial = `${file}.partial`;
  fs.rmSync(partial, { force: true });
  const { db } = openStore(partial);
  const config = JSON.stringify(DEFAULT_CONFIG);
  db.transaction(() => {
    db.exec(`INSERT INTO datasets (id, fingerprint, path, name, format, modalities_json, classes_json, split_rule, split_counts_json, created_at) VALUES
      (1, 'p', '/data/paired', 'synthetic-paired', 'manifest', '[]', '[]', 'manifest', '{}', 'x'),
      (2, 'm', '/data/mixed', 'synthetic-mixed', 'manifest', '[]', '[]', 'manifest', '{}', 'x')`);
    const run =
      db.prepare(`INSERT INTO runs (id, dataset_id, status, method_requested, method_final, config_json, seed, seeds, created_at, started_at, final_accuracy, duration_ms, left_out_json, note)
      VALUES (?, ?, 'completed', 'auto', ?, ?, ?, 1, ?, ?, ?, ?, '[]', '')`);
    const final = db.prepare(
      "INSERT INTO final_choices (run_id, method, recommended, overridden, best, reason) VALUES (?, ?, 'umt', 0, ?, 'best on validation')",
    );
    const decision = db.prepare(
      "INSERT INTO decisions (run_id, method, overridden, linear_probe_accuracy, averaged_prediction_accuracy, slice_accuracy_json, interval_low, interval_high, split) VALUES (?, 'umt', 0, 0.9, 0.8, '{}', 0.01, 0.2, 'val')",
    );
    const tag = db.prepare("INSERT INTO tags (run_id, tag) VALUES (?, 'sweep')");
    const methods = ['late-fusion', 'umt', 'aux-ce', 'g-blending'];
    for (let i = 0; i < count; i += 1) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const method = methods[i % methods.length]!;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      run.run(id, (i % 2) + 1, method, config, i % 1000, at, at, 0.5 + (i % 500) / 1000, 30_000 + (i % 7000));
      final.run(id, method, method);
      decision.run(id);
      if (i % 100 === 0) tag.run(id);
    }
  })();
  db.close();
  fs.renameSync(partial, file);
  return file;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function timed(times: number, work: () => void): number {
  return median(
    Array.from({ length: times }, () => {
      const started = performance.now();
      work();
      return performance.now() - started;
    }),
  );
}

export function timeRunList(work: string, count = 100_001): RunListTiming {
  const file = largeRunDatabase(work, count);
  const { db } = openStore(file, { readonly: true });
  const check = (page: { runs: unknown[]; total: number }, runs: number, total: number) => {
    if (page.runs.length !== runs || page.total !== total)
      throw new Error(`runs:list gave ${page.runs.length} runs of ${page.total}; expected ${runs} of ${total}.`);
  };
  const firstPageMs = timed(5, () => check(listRuns(db, { limit: 50 }), 50, count));
  const searchMs = timed(5, () => check(listRuns(db, { limit: 50, search: 'paired' }), 50, Math.ceil(count / 2)));
  const sortBySettingMs = timed(3, () =>
    check(listRuns(db, { limit: 50, sort: { column: 'config.seed', direction: 'asc' } }), 50, count),
  );
  db.close();
  const cliMs = timed(3, () => {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'modality-studio.js'), 'runs', 'list', '--limit', '20', '--json', '--db', file],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`runs list failed: ${result.stderr}`);
    check(JSON.parse(result.stdout) as { runs: unknown[]; total: number }, 20, count);
  });
  return { runs: count, firstPageMs, searchMs, sortBySettingMs, cliMs, databaseMb: fs.statSync(file).size / 1e6 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const work =
    process.env.MODALITY_STUDIO_BENCH_DIR ?? path.join((await import('node:os')).tmpdir(), 'modality-studio-bench');
  fs.mkdirSync(work, { recursive: true });
  process.stdout.write(`${JSON.stringify(timeRunList(work))}\n`);
}
