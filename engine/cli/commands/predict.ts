import path from 'node:path';
import type { Command } from 'commander';
import type { BackendChoice } from '../../protocol/run';
import type { CliContext } from '../context';
import { printable } from '../../protocol/printable';
import { withLocalEngine } from '../with-engine';

export function registerPredict(program: Command, context: CliContext): void {
  program
    .command('predict')
    .description('classify the samples of a dataset folder (labels optional) with a model saved by `run`')
    .argument('<model-dir>', 'the model folder `run` wrote (it holds model-card.json)')
    .argument(
      '<dir>',
      'dataset folder in the same format, with the modalities the model was trained on, or the name of a built-in dataset',
    )
    .option('--json', 'print one JSON object')
    .option('--backend <b>', 'auto, gpu, native, wasm, cpu or webgpu')
    .action(async (modelDir: string, dir: string, options: { json?: boolean; backend?: BackendChoice }) => {
      await withLocalEngine(context, { store: 'lazy', prepareInThread: true }, async (engine) => {
        // Like run, predict takes a built-in dataset's name where no folder of that name exists.
        const report = await engine.call('model:predict', {
          modelDir: path.resolve(modelDir),
          dir,
          ...(options.backend ? { backend: options.backend } : {}),
        });
        if (options.json) {
          context.stdout.write(`${JSON.stringify(report)}\n`);
        } else {
          for (const p of report.predictions) {
            const confidence = Math.max(...p.probabilities);
            // Ids and labels come from the data: one line each, whatever they hold.
            context.stdout.write(
              `${printable(p.id)}\t${printable(p.label)}\t${(confidence * 100).toFixed(1)}%${p.actual !== undefined ? `\t(labelled ${printable(p.actual)})` : ''}\n`,
            );
          }
          if (report.accuracy !== undefined)
            context.stdout.write(`Accuracy on the labelled samples: ${(report.accuracy * 100).toFixed(1)}%\n`);
          for (const issue of report.errors)
            context.stderr.write(`[${issue.code}] ${printable(issue.message, 2_000)}\n`);
          if (report.errorCount > report.errors.length)
            context.stderr.write(`… and ${report.errorCount - report.errors.length} more errors.\n`);
        }
        context.exitCode = report.errorCount > 0 ? 1 : 0;
      });
    });
}
