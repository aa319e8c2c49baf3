import path from 'node:path';
import { localEngine } from '../../engine/process/local-engine';
import type { RunMessage } from '../../engine/protocol/engine';

/** The engine service in this process, called through its message handler as a host would. */
export function inProcessEngine(home: string) {
  const engine = localEngine({ dbFile: path.join(home, 'runs.sqlite'), cacheDir: path.join(home, 'cache') });
  const messages: RunMessage[] = [];
  engine.onMessage((message) => messages.push(message));
  const waitFor = (test: (message: RunMessage) => boolean): Promise<RunMessage> =>
    new Promise((resolve) => {
      const check = () => {
        const found = messages.find(test);
        if (found) resolve(found);
        else setTimeout(check, 25);
      };
      check();
    });
  return { call: engine.call, messages, waitFor, close: engine.close };
}
