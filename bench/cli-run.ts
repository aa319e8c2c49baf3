import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '..', 'bin', 'modality-studio.js');

/**
 * `modality-studio run DATASET --json ARGS…` in a fresh process with its own home, run database and cache under
 * `home` (so a benchmark never touches the user's): the JSON object it prints last and the process's wall seconds.
 */
export function runCliJson<T>(dataset: string, args: string[], home: string): { result: T; seconds: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI, 'run', dataset, '--json', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: {
      ...process.env,
      MODALITY_STUDIO_HOME: home,
      MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
      MODALITY_STUDIO_DB: path.join(home, 'runs.sqlite'),
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0)
    throw new Error(`modality-studio run ${dataset} failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  return { result: JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as T, seconds };
}
