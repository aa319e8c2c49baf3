/**
 * `npm run bench:methods [-- --seeds N] [-- --datasets a,b] [-- --epochs N] [-- --json]`: every registered
 * training method (`run DATASET --compare all`) on the built-in datasets, with the defaults unless given: each
 * candidate's validation and test accuracy (mean ± sd over seeds) and its training time, also as a multiple
 * of late fusion's. This is where the README's table of methods comes from. Run it on a quiet machine: the
 * times are wall-clock times of one process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CandidateResult } from '../engine/protocol/run';
import { datasetsOption, option } from './argv';
import { runCliJson } from './cli-run';

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
  const args = ['--compare', 'all', '--seeds', String(seeds), '--backend', 'wasm'];
  const { result: out, seconds } = runCliJson<{
    candidates: Record<string, CandidateResult>;
    final: { method: string };
  }>(dataset, [...args, ...(epochs ? ['--epochs', epochs, '--teacher-epochs', epochs] : [])], home);
  return {
    dataset,
    seconds,
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
