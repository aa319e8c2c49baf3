import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const CLI_BIN = path.resolve(__dirname, '..', '..', 'bin', 'modality-studio.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `modality-studio` in a fresh Node process, as a user would, with the given environment added. */
export function cliWith(env: Record<string, string>): (...args: string[]) => CliResult {
  return (...args) => {
    const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}

/** The last line of stdout parsed as JSON (commands print one JSON object last with --json). */
export function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as T;
}
