import type { Command } from 'commander';
import { defaultCacheDir } from '../../data/cache/location';
import { resolveDatasetArgument } from '../../data/resolve-dataset';
import { UserError } from '../../errors';
import type { RunConfig } from '../../protocol/run';
import type { CliContext } from '../context';

export function registerPredict(program: Command, context: CliContext): void {
  program
    .command('predict')
    .description('classify the samples of a dataset folder (labels optional) with a model saved by `run`')
    .argument('<model-dir>', 'the model folder `run` wrote (it holds model-card.json)')
    .argument('<dir>', 'dataset folder in the same format, with the modalities the model was trained on, or the name of a built-in dataset')
    .option('--json', 'print one JSON object')
    .option('--backend <b>', 'auto, gpu, native, wasm or cpu')
    .action(async (modelDir: string, dir: string, options: { json?: boolean; backend?: RunConfig['backend'] }) => {
      try {
        // Loaded here, not at start-up: it brings TensorFlow.js (~0.9 s), which no other command needs in this process.
        const { predictFolder } = await import('../../model/predict-folder');
        // Like run, predict takes a built-in dataset's name where no folder of that name exists.
        const report = await predictFolder(modelDir, await resolveDatasetArgument(dir, defaultCacheDir()), options.backend ?? 'auto');
        if (options.json) {
          context.stdout.write(`${JSON.stringify(report)}\n`);
        } else {
          for (const p of report.predictions) {
            const confidence = Math.max(...p.probabilities);
            context.stdout.write(`${p.id}\t${p.label}\t${(confidence * 100).toFixed(1)}%${p.actual !== undefined ? `\t(labelled ${p.actual})` : ''}\n`);
          }
          if (report.accuracy !== undefined) context.stdout.write(`Accuracy on the labelled samples: ${(report.accuracy * 100).toFixed(1)}%\n`);
          for (const issue of report.errors) context.stderr.write(`[${issue.code}] ${issue.message}\n`);
          if (report.errorCount > report.errors.length) context.stderr.write(`… and ${report.errorCount - report.errors.length} more errors.\n`);
        }
        context.exitCode = report.errorCount > 0 ? 1 : 0;
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        context.stderr.write(`${error.message}\n`);
        context.exitCode = 1;
      }
    });
}
