import type { Command } from 'commander';
import { BUILTIN_DATASETS, findBuiltin, writeBuiltin } from '../../data/builtin/registry';
import type { CliContext } from '../context';

export function registerDatasets(program: Command, context: CliContext): void {
  program
    .command('datasets')
    .description('list the built-in datasets')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const list = BUILTIN_DATASETS.map(({ name, description, samples, modalities }) => ({
        name,
        description,
        samples,
        modalities,
      }));
      if (options.json) {
        context.stdout.write(`${JSON.stringify({ datasets: list })}\n`);
        return;
      }
      const width = Math.max(...list.map((d) => d.name.length));
      for (const d of list)
        context.stdout.write(
          `${d.name.padEnd(width)}  ${String(d.samples).padStart(6)} samples  ${d.modalities}\n${' '.repeat(width + 2)}${d.description}\n`,
        );
    });

  program
    .command('sample')
    .description('write a built-in dataset into a new folder, as an ordinary dataset (a worked example of the format)')
    .argument('<name>', 'built-in dataset name (see `datasets`)')
    .argument('<dir>', 'a new or empty folder')
    .action(async (name: string, dir: string) => {
      const dataset = findBuiltin(name);
      if (!dataset) {
        context.stderr.write(
          `No built-in dataset "${name}"; expected one of: ${BUILTIN_DATASETS.map((d) => d.name).join(', ')}.\n`,
        );
        context.exitCode = 2;
        return;
      }
      try {
        await writeBuiltin(dataset, dir);
      } catch (error) {
        context.stderr.write(`${(error as Error).message}\n`);
        context.exitCode = 1;
        return;
      }
      context.stdout.write(
        `Wrote ${dataset.name} (${dataset.samples} samples) to ${dir}. Check it with: npx modality-studio validate ${dir}\n`,
      );
    });
}
