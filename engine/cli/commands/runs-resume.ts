import path from 'node:path';
import type { Command } from 'commander';
import { defaultCheckpointDir, defaultModelDir } from '../../app-paths';
import { defaultCacheDir } from '../../data/cache/location';
import { prepareDataset } from '../../data/prepare';
import { openStore } from '../../store/open-store';
import { getRun } from '../../store/run-reader';
import { markResumed } from '../../store/run-writer';
import type { CliContext } from '../context';
import { executeRun } from '../execute-run';
import { formatReport } from '../format-report';

const RESUMABLE = new Set(['interrupted', 'cancelled', 'failed']);

/**
 * `runs resume ID`: continues a run that stopped before the end from its last checkpoints, with its stored
 * config, on the same data (checked by fingerprint), and finishes it as `run` would have.
 */
export function registerRunsResume(runs: Command, context: CliContext): void {
  runs
    .command('resume')
    .description('continue an interrupted (or cancelled, or failed) run from its last checkpoint and finish it')
    .argument('<id>', 'run id or a unique prefix')
    .option('--db <file>', 'run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder)')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .option('--out <dir>', 'where to save the final model (default: the app data folder, runs/RUN_ID/model)')
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .action(async (id: string, options: { db?: string; cacheDir?: string; out?: string; json?: boolean }) => {
      const store = openStore(options.db ? path.resolve(options.db) : undefined);
      try {
        const run = getRun(store.db, id);
        if (!run) {
          context.stderr.write(`No run "${id}" in the database (or the prefix matches several); runs list shows the ids.\n`);
          context.exitCode = 1;
          return;
        }
        if (!RESUMABLE.has(run.status)) {
          context.stderr.write(`Run ${run.id} is ${run.status}; only an interrupted, cancelled or failed run can be resumed.\n`);
          context.exitCode = 1;
          return;
        }
        const { report, dataset } = await prepareDataset(run.dataset.path, { cacheDir: options.cacheDir ?? defaultCacheDir() });
        if (!dataset) {
          context.stderr.write(formatReport(report));
          context.exitCode = 1;
          return;
        }
        try {
          if (dataset.meta.fingerprint !== run.dataset.fingerprint) {
            context.stderr.write(`The dataset at ${run.dataset.path} has changed since run ${run.id} started (its fingerprint differs), so the run cannot be continued on it. Start a new run instead.\n`);
            context.exitCode = 1;
            return;
          }
          const checkpointDir = run.artifacts.find((a) => a.kind === 'checkpoint')?.path ?? defaultCheckpointDir(run.id);
          markResumed(store.db, run.id);
          context.stderr.write(`Resuming run ${run.id} from ${checkpointDir}\n`);
          await executeRun(context, { runId: run.id, db: store.db, dataset, config: run.config, modelDir: options.out ?? defaultModelDir(run.id), checkpointDir, json: options.json ?? false });
        } finally {
          dataset.reader.close();
        }
      } finally {
        store.db.close();
      }
    });
}
