import type { EngineCallName, EngineCalls, RunMessage } from '../protocol/engine';

/** What the web bridge needs of an engine: the engine client, or a fake in tests. */
export interface WebEngine {
  call<K extends EngineCallName>(name: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['result']>;
  onRunMessage(listener: (message: RunMessage) => void): () => void;
}
