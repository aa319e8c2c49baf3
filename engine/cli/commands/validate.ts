import type { Command } from 'commander';
import { defaultCacheDir } from '../../data/cache/location';
import { prepareDataset } from '../../data/prepare';
import { formatReport } from '../format-report';
import { ProgressLine } from '../progress';
import { resolveDatasetArgument } from '../../data/resolve-dataset';
import type { CliContext } from '../context';

export function registerValidate(program: Command, context: CliContext): void {
  program
    .command('validate')
    .description('check a dataset folder (or a built-in dataset) and decode it into the cache; exit 0 when usable, 1 when not')
    .argument('<dir>', 'dataset folder, or the name of a built-in dataset')
    .option('--json', 'print one JSON object instead of a readable report')
    .option('--no-cache', 'decode and check everything, but write nothing to the cache')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .action(async (dir: string, options: { json?: boolean; cache: boolean; cacheDir?: string }) => {
      const cacheDir = options.cacheDir ?? defaultCacheDir();
      const progress = new ProgressLine(context.stderr);
      const target = await resolveDatasetArgument(dir, cacheDir);
      // In this thread: the worker that a training process prepares in (to give the heap back afterwards) would
      // only add its start-up here, since this process ends with the report.
      const { report, dataset } = await prepareDataset(target, {
        cacheDir,
        writeCache: options.cache,
        onProgress: (p) => progress.prepare(p),
      });
      dataset?.reader.close();
      progress.clear();
      context.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
      context.exitCode = report.ok ? 0 : 1;
    });
}
