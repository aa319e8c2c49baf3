import path from 'node:path';
import { EngineService } from '../../engine/process/engine-service';
import type { EngineCallName, EngineCalls, EngineMessage, RunMessage } from '../../engine/protocol/engine';

/** The engine service in this process, called through its message handler as a host would. */
export function inProcessEngine(home: string) {
  const messages: RunMessage[] = [];
  const answers = new Map<number, (message: EngineMessage) => void>();
  const service = new EngineService({ dbFile: path.join(home, 'runs.sqlite'), cacheDir: path.join(home, 'cache') }, (message) => {
    if (message.kind === 'response') answers.get(message.id)?.(message);
    else if (message.kind !== 'ready') messages.push(message);
  });
  let nextId = 1;
  const call = <K extends EngineCallName>(name: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['result']> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      answers.set(id, (message) => {
        if (message.kind !== 'response') return;
        if (message.result.ok) resolve(message.result.value as EngineCalls[K]['result']);
        else reject(Object.assign(new Error(message.result.error.message), { code: message.result.error.code }));
      });
      void service.handle({ kind: 'request', id, call: name, params });
    });
  };
  const waitFor = (test: (message: RunMessage) => boolean): Promise<RunMessage> => new Promise((resolve) => {
    const check = () => {
      const found = messages.find(test);
      if (found) resolve(found);
      else setTimeout(check, 25);
    };
    check();
  });
  return { call, messages, waitFor, close: () => service.close() };
}
