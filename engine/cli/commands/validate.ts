import type { Command } from 'commander';
import type { CliContext } from '../context';
import { formatReport } from '../format-report';
import { ProgressLine } from '../progress';
import { withLocalEngine } from '../with-engine';

export function registerValidate(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description(
      'check a dataset folder (or a built-in dataset) and decode it into the cache; exit 0 when usable, 1 when not',
    )
    .argument('<dir>', 'dataset folder, or the name of a built-in dataset')
    .option('--json', 'print one JSON object instead of a readable report')
    .option('--no-cache', 'decode and check everything, but write nothing to the cache')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .action(async (dir: string, options: { json?: boolean; cache: boolean; cacheDir?: string }) => {
      const progress = new ProgressLine(context.stderr);
      // In this thread: the worker a long-lived engine prepares in (to give its heap back) would only add its
      // start-up here, since this process ends with the report. No run database is opened.
      await withLocalEngine(
        context,
        { cacheDir: options.cacheDir, store: 'lazy', prepareInThread: true },
        async (engine) => {
          engine.onMessage((message) => {
            if (message.kind === 'dataset-progress') progress.prepare(message.progress);
          });
          const report = await engine.call('dataset:validate', { dir, noCache: !options.cache });
          progress.clear();
          context.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
          context.exitCode = report.ok ? 0 : 1;
        },
      );
    });
}
