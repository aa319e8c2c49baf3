import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CLI_BIN } from './cli';

export interface ServedApp {
  /** The URL `serve` printed, token included. */
  url: string;
  origin: string;
  token: string;
  /** A call straight to the bridge, as the UI makes it. */
  call<T>(name: string, params: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `modality-studio serve --port 0` with its own home, database and cache (`env` may name others), and
 * waits for its URL.
 */
export async function startServe(home: string, env: Record<string, string> = {}): Promise<ServedApp> {
  const child: ChildProcess = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
    env: {
      ...process.env,
      MODALITY_STUDIO_HOME: home,
      MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
      MODALITY_STUDIO_DB: path.join(home, 'runs.sqlite'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /(http:\/\/\S+\?token=\S+)/.exec(stdout)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL:\n${stderr}`)));
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    url,
    origin: parsed.origin,
    token,
    async call<T>(name: string, params: unknown): Promise<T> {
      const response = await fetch(`${parsed.origin}/api/call/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify(params),
      });
      const body = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
      if (!body.ok) throw new Error(body.error?.message);
      return body.value as T;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
