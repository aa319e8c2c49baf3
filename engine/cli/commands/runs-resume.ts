import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { engineEnv, followRunInEngine } from '../follow-run';

/**
 * `runs resume ID`: continues a run that stopped before the end from its last checkpoints, with its stored
 * config, on the same data (checked by fingerprint), and finishes it as `run` would have.
 */
export function registerRunsResume(runs: Command, context: CliContext): void {
  runs
    .command('resume')
    .description('continue an interrupted (or cancelled, or failed) run from its last checkpoint and finish it')
    .argument('<id>', 'run id or a unique prefix')
    .option(
      '--db <file>',
      "run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder); the run's checkpoints are in runs/RUN_ID/checkpoints beside it",
    )
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .option(
      '--out <dir>',
      'where to save the models, a new or empty folder (default: the folder the run chose when it started)',
    )
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .action(async (id: string, options: { db?: string; cacheDir?: string; out?: string; json?: boolean }) => {
      const env = engineEnv({
        db: options.db ? path.resolve(options.db) : undefined,
        cacheDir: options.cacheDir ? path.resolve(options.cacheDir) : undefined,
      });
      await followRunInEngine(context, env, options.json ?? false, async (engine) => {
        const started = await engine.call('run:resume', {
          runId: id,
          ...(options.out ? { out: path.resolve(options.out) } : {}),
        });
        context.stderr.write(`Resuming run ${started.runId} from its checkpoints\n`);
        return started;
      });
    });
}
