import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultCacheDir } from '../../data/cache/location';
import { AUTO_DISTILL_WEIGHTS, type RunConfig } from '../../protocol/run';
import { resolveConfig } from '../../train/config';
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
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`expected comma-separated whole numbers like 128,128, got "${value}"`);
  return list;
};
const weight = (value: string): number | 'auto' => {
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

/** The run settings by their config names (commander camel-cases `--teacher-epochs` to `teacherEpochs`), plus host options. */
type RunOptions = Partial<Omit<RunConfig, 'learningRate' | 'bootstrapSamples'>> & { lr?: number; json?: boolean; cacheDir?: string; out?: string; db?: string; compare?: string };

export function registerRun(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('train teachers, decide between UMT and UME, train the choice and evaluate it against the baselines')
    .argument('<dir>', 'dataset folder, or the name of a built-in dataset')
    .option('--method <method>', 'auto (the decision trick), umt or ume')
    .option('--epochs <n>', 'epochs of the fused models (late fusion, UMT)', integer)
    .option('--teacher-epochs <n>', 'epochs of each uni-modal teacher', integer)
    .option('--probe-epochs <n>', 'epochs of the linear classifiers on frozen features', integer)
    .option('--batch-size <n>', 'mini-batch size', integer)
    .option('--lr <x>', 'learning rate', number)
    .option('--distill-weight <w>', `UMT's feature-distillation weight (paper: 50), or auto: train UMT at ${AUTO_DISTILL_WEIGHTS.join(', ')} and keep the best on validation`, weight)
    .option('--seed <s>', 'seed of initialisation and shuffling (the first one, with --seeds)', integer)
    .option('--methods <ids>', 'methods to train besides the paper\'s flow, comma-separated (umt, aux-ce); each becomes a candidate', (value: string) => value.split(',').map((id) => id.trim()).filter(Boolean))
    .option('--modality-dropout-rate <p>', 'modality dropout: the probability that a training step drops one modality (paper: 0.5)', number)
    .option('--ogm-alpha <a>', 'OGM-GE: α of the modulation coefficient 1 − tanh(α·ρ) (authors\' default 0.1)', number)
    .option('--ogm-modulated-share <s>', 'OGM-GE: modulate the first share of the epochs (authors\' default: half)', number)
    .option('--g-blend-epochs <n>', 'G-Blending: epochs of each estimation training on 80% of the training split', integer)
    .option('--final-rule <rule>', 'validation-best (default): the candidate best on validation; recommendation-within-noise: keep the trick\'s recommendation when the best is within noise of it')
    .option('--compare <all>', 'all: train every registered method as a candidate')
    .option('--seeds <n>', 'repeat the whole method with n seeds (seed, seed+1, …): accuracies become mean ± sd', integer)
    .option('--backend <b>', 'auto, gpu, native, wasm, cpu or webgpu')
    .option('--optimizer <name>', 'adam or sgd (with momentum 0.9)')
    .option('--schedule <name>', 'learning-rate schedule: none, step or plateau')
    .option('--weight-decay <wd>', 'L2 weight decay of the run\'s recipe (default 0)', number)
    .option('--recipe <rule>', 'method (default): each method trains with its own recipe (OGM-GE: its authors\' SGD, momentum 0.9, weight decay 1e-4, ×0.1 at 70% of the epochs); shared: every method on the run\'s recipe')
    .option('--patience <n>', 'early stopping: epochs without a better smoothed validation accuracy', integer)
    .option('--min-epochs <n>', 'early stopping never stops a phase before this many epochs', integer)
    .option('--mlp-hidden <widths>', 'hidden widths of the vector encoders, e.g. 128,128 (the last is the feature size)', widths)
    .option('--cnn-channels <widths>', 'channels of the conv blocks of image and audio encoders, e.g. 32,64', widths)
    .option('--cnn-feature-dim <n>', 'feature size of the image and audio encoders', integer)
    .option('--json', 'print the result as one JSON object on the last line of stdout')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .option('--out <dir>', 'where to save the models, a new or empty folder (default: runs/RUN_ID/model beside the run database)')
    .option('--db <file>', 'run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder); each run\'s checkpoints (what runs resume continues from) go to runs/RUN_ID/checkpoints beside it, and runs delete removes them')
    .action(async (dir: string, options: RunOptions) => {
      const cacheDir = options.cacheDir ?? defaultCacheDir();
      let config: RunConfig;
      try {
        // Checked before any data is read, so a typo costs nothing.
        const { lr, json: _json, cacheDir: _cacheDir, out: _out, db: _db, compare, ...settings } = options;
        if (compare !== undefined && compare !== 'all') throw new AppError('config', `--compare takes all, got "${compare}"; to choose methods, use --methods umt,aux-ce.`);
        config = resolveConfig({ ...settings, ...(compare ? { methods: [...(settings.methods ?? []), 'all'] } : {}), learningRate: lr });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        context.stderr.write(`${error.message}\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      const env = engineEnv({ db: options.db ? path.resolve(options.db) : undefined, cacheDir: path.resolve(cacheDir) });
      await followRunInEngine(context, env, options.json ?? false, async (engine) => {
        const report = await engine.call('dataset:validate', { dir });
        if (!report.ok) {
          context.stderr.write(formatReport(report));
          throw new AppError('dataset', `The dataset is not usable (${report.errorCount} error${report.errorCount === 1 ? '' : 's'} above).`);
        }
        return engine.call('run:start', { dataset: dir, config, ...(options.out ? { out: path.resolve(options.out) } : {}) });
      });
    });
}
