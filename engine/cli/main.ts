import { Command, CommanderError } from 'commander';
import { registerDatasets } from './commands/datasets';
import { registerDoctor } from './commands/doctor';
import { registerPredict } from './commands/predict';
import { registerRun } from './commands/run';
import { registerRuns } from './commands/runs';
import { registerServe } from './commands/serve';
import { registerValidate } from './commands/validate';
import { EXIT_USAGE, type CliContext } from './context';

export async function main(
  argv: string[],
  streams: Pick<CliContext, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const context: CliContext = { ...streams, exitCode: 0 };
  const program = new Command('modality-studio')
    .description('Decide between UMT and UME for your multi-modal data (Du et al., ICML 2023), and train it.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => context.stdout.write(s), writeErr: (s) => context.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');
  registerValidate(program, context);
  registerDatasets(program, context);
  registerRun(program, context);
  registerPredict(program, context);
  registerRuns(program, context);
  registerServe(program, context);
  registerDoctor(program, context);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version';
      return informational ? 0 : EXIT_USAGE;
    }
    // A bug of ours, not the user's: say so plainly; the stack only when asked for.
    context.stderr.write(
      `modality-studio failed unexpectedly: ${(error as Error).message}\nThis is a bug; please report it with the command you ran. Set MODALITY_STUDIO_DEBUG=1 to see the stack trace.\n`,
    );
    if (process.env.MODALITY_STUDIO_DEBUG) context.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
  return context.exitCode;
}
