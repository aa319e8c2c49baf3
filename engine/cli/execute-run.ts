import { UserError } from '../errors';
import { runRecorded, type RecordedRunOptions } from '../runs/run-recorded';
import { EXIT_USAGE, type CliContext } from './context';
import { formatEventLine, formatRunSummary } from './format-run';
import { PhaseProgress } from './phase-progress';

export interface ExecuteRunOptions extends Omit<RecordedRunOptions, 'signal' | 'onEvent'> {
  json: boolean;
}

/**
 * The CLI face of a recorded run: progress and one line per epoch on stderr, the summary (or JSON) on
 * stdout, SIGINT/SIGTERM (and so `runs cancel`) stopping it at the next batch. Shared by `run` and
 * `runs resume`.
 */
export async function executeRun(context: CliContext, options: ExecuteRunOptions): Promise<void> {
  const progress = new PhaseProgress(context.stderr);
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  context.stderr.write(`run ${options.runId}\n`);
  try {
    const outcome = await runRecorded({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'batch') progress.onBatch(event);
        const line = formatEventLine(event);
        if (line) {
          progress.clear();
          context.stderr.write(`${line}\n`);
        }
      },
    });
    progress.clear();
    if (outcome.status !== 'completed') {
      if (!(outcome.error instanceof UserError)) throw outcome.error;
      context.stderr.write(`${outcome.error.message}\n`);
      context.exitCode = outcome.error.code === 'config' ? EXIT_USAGE : 1;
      return;
    }
    const { result, modelDir } = outcome;
    if (options.json) {
      const { backend, decision, test, laziness, durationMs } = result;
      context.stdout.write(`${JSON.stringify({ runId: options.runId, backend: backend.name, backendInfo: backend, dataset: result.dataset, config: result.config, decision, test, laziness, evaluations: result.evaluations, modelDir, durationMs })}\n`);
    } else {
      context.stdout.write(`${formatRunSummary(result, options.runId)}\nModel saved to ${modelDir}\n`);
    }
  } finally {
    progress.clear();
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
