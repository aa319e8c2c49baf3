import type { EngineCallName, EngineCalls, EngineResult, HostApi, RunMessage } from '../../../engine/protocol/engine';

/**
 * The host API over the web mode's HTTP bridge: calls as `POST /api/call/NAME`, run messages from one
 * server-sent event stream (which the browser reconnects by itself after a drop).
 */
export function createWebHost(token: string, fetchImpl: typeof fetch = fetch.bind(globalThis)): HostApi {
  const listeners = new Set<(message: RunMessage) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as RunMessage;
      listeners.forEach((listener) => listener(message));
    };
  };
  return {
    kind: 'web',
    async call<K extends EngineCallName>(
      name: K,
      params: EngineCalls[K]['params'],
    ): Promise<EngineResult<EngineCalls[K]['result']>> {
      let response: Response;
      try {
        response = await fetchImpl(`/api/call/${name}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(params),
        });
      } catch {
        return {
          ok: false,
          error: {
            code: 'offline',
            message: 'The Modality Studio server does not answer: is `modality-studio serve` still running?',
          },
        };
      }
      try {
        return (await response.json()) as EngineResult<EngineCalls[K]['result']>;
      } catch {
        return {
          ok: false,
          error: { code: 'internal', message: `The server answered ${response.status} without a JSON body.` },
        };
      }
    },
    onRunMessage(listener) {
      listeners.add(listener);
      if (!source) connect();
      return () => listeners.delete(listener);
    },
  };
}
