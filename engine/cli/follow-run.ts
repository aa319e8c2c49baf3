import { EngineClient } from '../process/engine-client';
import { AppError } from '../protocol/errors';
import { lazinessTable } from '../protocol/laziness-table';
import type { EngineMessage } from '../protocol/engine';
import { EXIT_INTERRUPTED, EXIT_USAGE, type CliContext } from './context';
import { formatEventLine, formatRunSummary } from './format-run';
import { PhaseProgress } from './phase-progress';

type RunEnded = Extract<EngineMessage, { kind: 'run-ended' }>;

/**
 * Runs one training run in an engine child process and follows it on the terminal: progress bars and one
 * line per epoch on stderr, the summary (or `--json`) on stdout. Ctrl-C or SIGTERM ask the engine to cancel
 * at the next batch. `start` makes the call that begins the run (`run:start` or `run:resume`).
 */
export async function followRunInEngine(
  context: CliContext,
  env: Record<string, string>,
  json: boolean,
  start: (engine: EngineClient) => Promise<{ runId: string }>,
): Promise<void> {
  const engine = EngineClient.start(env);
  const progress = new PhaseProgress(context.stderr);
  let runId: string | null = null;
  let resolveEnded: (message: RunEnded) => void = () => undefined;
  const ended = new Promise<RunEnded>((resolve) => {
    resolveEnded = resolve;
  });
  engine.onRunMessage((message) => {
    if (message.kind === 'run-ended') {
      resolveEnded(message);
      return;
    }
    if (message.kind === 'dataset-progress') {
      progress.onPrepare(message.progress);
      return;
    }
    if (message.event.type === 'batch') progress.onBatch(message.event);
    const line = formatEventLine(message.event);
    if (line) {
      progress.clear();
      context.stderr.write(`${line}\n`);
    }
  });
  let stoppedBeforeStart = false;
  const cancel = () => {
    if (runId) {
      void engine.call('run:cancel', { runId }).catch(() => undefined);
      return;
    }
    // The data is still being prepared (minutes, for thousands of clips) and no run exists yet to cancel:
    // the engine process is ended, which stops the preparation; nothing has been recorded.
    if (stoppedBeforeStart) return;
    stoppedBeforeStart = true;
    progress.clear();
    context.stderr.write('Stopping: the data was still being prepared, so no run had started.\n');
    void engine.close();
  };
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  try {
    runId = (await start(engine)).runId;
    context.stderr.write(`run ${runId}\n`);
    const end = await Promise.race([
      ended,
      engine.exited.then((how): RunEnded => ({
        kind: 'run-ended',
        runId: runId ?? '',
        status: 'failed',
        error: {
          code: 'engine-exited',
          message: `The engine process stopped (${how}) before the run ended; runs show ${runId} tells how far it got, and runs resume continues it.`,
        },
      })),
    ]);
    progress.clear();
    if (end.status !== 'completed') {
      context.stderr.write(`${end.error.message}\n`);
      context.exitCode = end.error.code === 'config' ? EXIT_USAGE : 1;
      return;
    }
    const { result, modelDir } = end;
    if (json) {
      const { backend, decision, test, laziness, durationMs, seeds, candidates, final } = result;
      context.stdout.write(
        `${JSON.stringify({ runId, backend: backend.name, backendInfo: backend, dataset: result.dataset, config: result.config, decision, seeds, candidates, final, test, laziness: lazinessTable(laziness), lazinessProbes: laziness, lazinessVerdicts: result.lazinessVerdicts, notices: result.notices, evaluations: result.evaluations, modelDir, durationMs })}\n`,
      );
    } else {
      context.stdout.write(`${formatRunSummary(result, runId)}\nModel saved to ${modelDir}\n`);
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    progress.clear();
    if (stoppedBeforeStart && runId === null) {
      context.stderr.write('Stopped before the run started; nothing was recorded.\n');
      context.exitCode = EXIT_INTERRUPTED;
      return;
    }
    context.stderr.write(`${error.message}\n`);
    context.exitCode = error.code === 'config' ? EXIT_USAGE : 1;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    await engine.close();
  }
}

/** The engine process's settings, from the command's options (unset ones fall back to the environment). */
export function engineEnv(options: { db?: string; cacheDir?: string }): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.db) env.MODALITY_STUDIO_DB = options.db;
  if (options.cacheDir) env.MODALITY_STUDIO_CACHE = options.cacheDir;
  return env;
}
