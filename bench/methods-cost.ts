/**
 * `npm run bench:methods [-- --seeds N] [-- --datasets a,b] [-- --epochs N] [-- --json]`: every registered
 * training method (`run DATASET --compare all`) on the built-in datasets, with the defaults unless given: each
 * candidate's validation and test accuracy (mean ± sd over seeds) and its training time, also as a multiple
 * of late fusion's. This is where the README's table of methods comes from. Run it on a quiet machine: the
 * times are wall-clock times of one process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CandidateResult } from '../engine/protocol/run';
import { datasetsOption, option } from './argv';

const ROOT = path.resolve(import.meta.dirname, '..');
const seeds = Number(option('seeds') ?? '1');
const datasets = datasetsOption();
const epochs = option('epochs');
const json = process.argv.includes('--json');
const log = (line: string) => process.stderr.write(`[bench:methods] ${line}\n`);

interface DatasetRow {
  dataset: string;
  seconds: number;
  final: string;
  candidates: Record<string, CandidateResult>;
}

function runDataset(dataset: string, home: string): DatasetRow {
  const args = [
    path.join(ROOT, 'bin', 'modality-studio.js'),
    'run',
    dataset,
    '--compare',
    'all',
    '--seeds',
    String(seeds),
    '--backend',
    'wasm',
    '--json',
    ...(epochs ? ['--epochs', epochs, '--teacher-epochs', epochs] : []),
  ];
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: {
      ...process.env,
      MODALITY_STUDIO_HOME: home,
      MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
      MODALITY_STUDIO_DB: path.join(home, 'runs.sqlite'),
    },
  });
  if (result.status !== 0)
    throw new Error(`run ${dataset} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
    candidates: Record<string, CandidateResult>;
    final: { method: string };
  };
  return {
    dataset,
    seconds: (performance.now() - started) / 1000,
    final: out.final.method,
    candidates: out.candidates,
  };
}

const pct = (v: number, sd: number) => `${(v * 100).toFixed(1)}${seeds > 1 ? ` ± ${(sd * 100).toFixed(1)}` : ''}`;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-bench-methods-'));
try {
  const rows: DatasetRow[] = [];
  for (const dataset of datasets) {
    log(`${dataset}: --compare all, ${seeds} seed(s)${epochs ? `, ${epochs} epochs` : ''}`);
    rows.push(runDataset(dataset, home));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ seeds, epochs: epochs ?? 'default', cpus: os.cpus().length, rows })}\n`);
  } else {
    for (const row of rows) {
      const late = row.candidates['late-fusion']?.trainingMs ?? 0;
      process.stdout.write(
        `\n${row.dataset} (${seeds} seed${seeds > 1 ? 's' : ''}, whole run ${row.seconds.toFixed(0)} s, final: ${row.final})\n`,
      );
      process.stdout.write(
        '| method | validation % | test % | training time | × late fusion |\n|---|---|---|---|---|\n',
      );
      for (const c of Object.values(row.candidates)) {
        const cost = c.trainingMs === 0 ? 'none (teachers)' : `${(c.trainingMs / 1000).toFixed(1)} s`;
        process.stdout.write(
          `| ${c.label} | ${pct(c.val.mean, c.val.sd)} | ${pct(c.test.mean, c.test.sd)} | ${cost} | ${late > 0 && c.trainingMs > 0 ? (c.trainingMs / late).toFixed(1) : '—'} |\n`,
        );
      }
    }
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
