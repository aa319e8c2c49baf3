import { fork, type ChildProcess } from 'node:child_process';
import { paramsShapeProblem } from './params-shape';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineCallName, EngineCalls, EngineMessage, RunMessage } from '../protocol/engine';
import { Correlator, settleEngineResult } from '../protocol/correlator';
import { AppError } from '../protocol/errors';
import { tsxExportUrl } from '../util/tsx';

const CHILD_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child-main.ts');
// Not a bare `--import tsx`, which is resolved from the working folder: `run` and `serve` started anywhere
// but the checkout could not start their engine.
const TSX_LOADER = tsxExportUrl('.');

/**
 * A Node host's handle on an engine child process (the CLI and the web mode; Electron uses a
 * utilityProcess with the same protocol): typed calls that resolve with their result or reject with an
 * {@link AppError}, and a stream of run messages.
 */
export class EngineClient {
  private readonly calls = new Correlator();
  private readonly listeners = new Set<(message: RunMessage) => void>();
  readonly ready: Promise<void>;
  /** Settles when the engine process has exited, with how it ended. */
  readonly exited: Promise<string>;

  private constructor(private readonly child: ChildProcess) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    child.on('message', (raw) => {
      const message = raw as EngineMessage;
      if (message.kind === 'ready') markReady();
      else if (message.kind === 'response') settleEngineResult(this.calls, message.id, message.result);
      else this.listeners.forEach((listener) => listener(message));
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        const how = signal ?? `exit code ${code}`;
        const error = new AppError('engine-exited', `The engine process stopped (${how}) before answering.`);
        this.calls.failAll(error);
        resolve(how);
      });
    });
  }

  /** Starts the engine process with `env` added to this process's environment. */
  static start(env: Record<string, string> = {}): EngineClient {
    const child = fork(CHILD_MAIN, [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new EngineClient(child);
  }

  async call<K extends EngineCallName>(name: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['result']> {
    // Checked here too: a value too deep for the channel's JSON would throw a stack overflow while sending.
    const shapeProblem = paramsShapeProblem(params);
    if (shapeProblem) throw new AppError('bad-request', `Bad params for ${name}: ${shapeProblem}.`);
    await this.ready;
    return this.calls.ask((id) => this.child.send({ kind: 'request', id, call: name, params }));
  }

  /** Sends anything at all: for tests of the engine's input checks. */
  async sendRaw(message: unknown, id: number): Promise<unknown> {
    await this.ready;
    return this.calls.ask(() => this.child.send(message as object), id);
  }

  onRunMessage(listener: (message: RunMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the engine process (it cancels an active run first) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }
}
