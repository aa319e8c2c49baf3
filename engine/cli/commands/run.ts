import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultCacheDir } from '../../data/cache/location';
import type { RunConfig } from '../../protocol/run';
import { SETTING_LIST } from '../../protocol/settings';
import { resolveConfig } from '../../method/config';
import { EXIT_USAGE, type CliContext } from '../context';
import { AppError } from '../../protocol/errors';
import { engineEnv, followRunInEngine } from '../follow-run';
import { formatReport } from '../format-report';

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};
const widths = (value: string) => {
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError(`expected comma-separated whole numbers like 128,128, got "${value}"`);
  return list;
};
const numberOrAuto = (value: string): number | 'auto' => {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number or auto, got "${value}"`);
  return n;
};
const number = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
};
const ids = (value: string) =>
  value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);

/** The command-line option of a row of the settings table (engine/protocol/settings.ts): its flag, help and parser. */
function settingOption(setting: (typeof SETTING_LIST)[number] & { flag: string }): Option {
  const defaultText = Array.isArray(setting.default) ? setting.default.join(',') || 'none' : String(setting.default);
  const option = new Option(
    setting.flag,
    `${setting.help} (${setting.type === 'choice' ? `${setting.choices.join(', ')}; ` : ''}default ${defaultText})`,
  );
  if (setting.type === 'number')
    return option.argParser(setting.allowsAuto ? numberOrAuto : setting.limit.integer ? integer : number);
  if (setting.type === 'list') return option.argParser(widths);
  if (setting.type === 'ids') return option.argParser(ids);
  return option;
}

const SETTING_OPTIONS = SETTING_LIST.flatMap((setting) =>
  setting.flag ? [{ id: setting.id, option: settingOption({ ...setting, flag: setting.flag }) }] : [],
);

/** Host options of `run`, besides the settings. */
interface HostOptions {
  json?: boolean;
  cacheDir?: string;
  out?: string;
  db?: string;
  compare?: string;
}

export function registerRun(program: Command, context: CliContext): void {
  const command = program
    .command('run')
    .description('train teachers, decide between UMT and UME, train the choice and evaluate it against the baselines')
    .argument('<dir>', 'dataset folder, or the name of a built-in dataset');
  for (const { option } of SETTING_OPTIONS) command.addOption(option);
  command
    .option('--compare <all>', 'all: train every registered method as a candidate')
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .option(
      '--out <dir>',
      'where to save the models, a new or empty folder (default: runs/RUN_ID/model beside the run database)',
    )
    .option(
      '--db <file>',
      "run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder); each run's checkpoints (what runs resume continues from) go to runs/RUN_ID/checkpoints beside it, and runs delete removes them",
    )
    .action(async (dir: string, options: HostOptions & Record<string, unknown>) => {
      const cacheDir = options.cacheDir ?? defaultCacheDir();
      let config: RunConfig;
      try {
        // Checked before any data is read, so a typo costs nothing.
        const { compare } = options;
        if (compare !== undefined && compare !== 'all')
          throw new AppError(
            'config',
            `--compare takes all, got "${compare}"; to choose methods, use --methods umt,aux-ce.`,
          );
        const settings = Object.fromEntries(
          SETTING_OPTIONS.map(({ id, option }) => [id, options[option.attributeName()]]),
        ) as Partial<RunConfig>;
        config = resolveConfig({ ...settings, ...(compare ? { methods: [...(settings.methods ?? []), 'all'] } : {}) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        context.stderr.write(`${error.message}\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      const env = engineEnv({
        db: options.db ? path.resolve(options.db) : undefined,
        cacheDir: path.resolve(cacheDir),
      });
      await followRunInEngine(context, env, options.json ?? false, async (engine) => {
        const report = await engine.call('dataset:validate', { dir });
        if (!report.ok) {
          context.stderr.write(formatReport(report));
          throw new AppError(
            'dataset',
            `The dataset is not usable (${report.errorCount} error${report.errorCount === 1 ? '' : 's'} above).`,
          );
        }
        return engine.call('run:start', {
          dataset: dir,
          config,
          ...(options.out ? { out: path.resolve(options.out) } : {}),
        });
      });
    });
}
