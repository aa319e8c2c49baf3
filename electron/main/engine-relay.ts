import {
  ENGINE_CALL_NAMES,
  type EngineCallName,
  type EngineMessage,
  type EngineResult,
  type RunMessage,
} from '../../engine/protocol/engine';
import { Correlator } from '../../engine/protocol/correlator';
import type { UtilityProcessLike } from './electron-api';

/**
 * Main's side of the engine protocol: requests from the window go to the engine's utility process with ids
 * of main's own, answers come back to the caller, run messages go to whoever listens. Main relays the
 * protocol and nothing else: no SQLite and no tfjs here.
 */
export class EngineRelay {
  private readonly calls = new Correlator<EngineResult<unknown>>();
  private readonly ready: Promise<void>;
  private exitedWith: number | null = null;

  constructor(
    private readonly engine: UtilityProcessLike,
    private readonly onRunMessage: (message: RunMessage) => void,
  ) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    engine.on('message', (raw) => {
      const message = raw as EngineMessage;
      if (message.kind === 'ready') markReady();
      else if (message.kind === 'response') this.calls.answer(message.id, message.result);
      else if (message.kind === 'run-event' || message.kind === 'run-ended' || message.kind === 'dataset-progress')
        this.onRunMessage(message);
      else console.warn('Unknown engine message', message);
    });
    engine.on('exit', (code) => {
      this.exitedWith = code;
      this.calls.answerAll({
        ok: false,
        error: {
          code: 'engine-exited',
          message: `The engine process stopped (exit code ${code}). Restart the app; the run browser shows what was recorded.`,
        },
      });
    });
  }

  /**
   * One call from the window. The name is checked against the protocol here; the params are checked by the
   * engine (with the same schemas whichever host sends them). Failures come back as data.
   */
  async call(name: unknown, params: unknown): Promise<EngineResult<unknown>> {
    if (typeof name !== 'string' || !ENGINE_CALL_NAMES.includes(name as EngineCallName)) {
      return {
        ok: false,
        error: {
          code: 'bad-request',
          message: `Unknown call "${String(name)}"; the engine answers ${ENGINE_CALL_NAMES.join(', ')}.`,
        },
      };
    }
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      return { ok: false, error: { code: 'bad-request', message: `The params of ${name} must be an object.` } };
    }
    if (this.exitedWith !== null)
      return {
        ok: false,
        error: {
          code: 'engine-exited',
          message: `The engine process has stopped (exit code ${this.exitedWith}). Restart the app.`,
        },
      };
    await this.ready;
    return this.calls.ask((id) => this.engine.postMessage({ kind: 'request', id, call: name, params }));
  }

  /** Ends the engine (it cancels an active run and records it as cancelled first). */
  stop(): void {
    if (this.exitedWith === null) this.engine.kill();
  }
}
