import type { Command } from 'commander';
import type { BackendCheck } from '../../protocol/backends';
import type { CliContext } from '../context';
import { withLocalEngine } from '../with-engine';

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('every training backend, usable or not and why not, each usable one timed on a small training step')
    .option('--json', 'print {"backends": [{name, usable, reason?, version?, threads?, adapter?, stepMs?}]}')
    .action((options: { json?: boolean }) =>
      withLocalEngine(context, { store: 'lazy' }, async (engine) => {
        context.stderr.write(
          'Checking each backend and timing a training step on the usable ones (about five seconds each)…\n',
        );
        const { backends } = await engine.call('backends:check', {});
        context.stdout.write(options.json ? `${JSON.stringify({ backends })}\n` : formatChecks(backends));
      }),
    );
}

/** One line per backend; `← auto` marks what `--backend auto` would choose for this step's model. */
export function formatChecks(backends: BackendCheck[]): string {
  const width = Math.max(...backends.map((b) => b.name.length));
  const lines = backends.map((b) => {
    const name = b.name.padEnd(width);
    if (!b.usable) return `  ${name}  not usable: ${b.reason ?? 'no reason given'}`;
    const step =
      b.stepMs === undefined
        ? ''
        : `, MLP training step (batch 64) ${b.stepMs < 10 ? b.stepMs.toFixed(2) : b.stepMs.toFixed(1)} ms`;
    const adapter = b.adapter
      ? `, adapter ${b.adapter.description || b.adapter.vendor} (${b.adapter.vendor}, ${b.adapter.architecture})`
      : '';
    return `  ${name}  usable: version ${b.version}${adapter}, ${b.threads} thread${b.threads === 1 ? '' : 's'}${step}${b.auto ? '  ← auto' : ''}${b.autoSkips ? ` (auto does not time it: ${b.autoSkips})` : ''}`;
  });
  return `Backends (a run's --backend auto times the usable ones on its own model and takes the fastest):\n${lines.join('\n')}\n`;
}
