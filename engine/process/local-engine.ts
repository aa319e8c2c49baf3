import { Correlator, settleEngineResult } from '../protocol/correlator';
import type { EngineCallName, EngineCalls, RunMessage } from '../protocol/engine';
import { EngineService, type EngineServiceOptions } from './engine-service';

/** The engine's calls on an {@link EngineService} in this process: what a host sees, without a process. */
export interface LocalEngine {
  call<K extends EngineCallName>(name: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['result']>;
  onMessage(listener: (message: RunMessage) => void): () => void;
  close(): Promise<void>;
}

/**
 * Serves the engine protocol in this process, through the same message handler (params checked, errors as
 * data, then thrown again as AppError) as the engine process: the CLI's quick commands (validate, predict,
 * runs …) follow the app's rules exactly without paying for a process start.
 */
export function localEngine(options: EngineServiceOptions): LocalEngine {
  const calls = new Correlator();
  const listeners = new Set<(message: RunMessage) => void>();
  const service = new EngineService(options, (message) => {
    if (message.kind === 'response') settleEngineResult(calls, message.id, message.result);
    else if (message.kind !== 'ready') listeners.forEach((listener) => listener(message));
  });
  return {
    call(name, params) {
      return calls.ask((id) => void service.handle({ kind: 'request', id, call: name, params }));
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => service.close(),
  };
}
