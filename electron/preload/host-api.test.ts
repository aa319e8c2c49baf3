import { describe, expect, it } from 'vitest';
import { IPC } from '../ipc-channels';
import { createDesktopHostApi, followMenuNavigation, type IpcRendererLike } from './host-api';

function fakeIpc(answers: Record<string, unknown> = {}) {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, ...args]);
      return answers[channel];
    },
    on: (channel, listener) => {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
    },
    removeListener: (channel, listener) => {
      listeners.get(channel)?.delete(listener);
    },
  };
  const emit = (channel: string, ...args: unknown[]) =>
    listeners.get(channel)?.forEach((l) => l({ sender: 'secret' }, ...args));
  return { ipc, invoked, emit, listeners };
}

describe('the preload API', () => {
  it('sends each engine call on the one engine channel and returns its result as data', async () => {
    const { ipc, invoked } = fakeIpc({ [IPC.engineCall]: { ok: true, value: { runs: [] } } });
    const api = createDesktopHostApi(ipc);
    expect(api.kind).toBe('desktop');
    expect(await api.call('runs:list', {})).toEqual({ ok: true, value: { runs: [] } });
    expect(invoked).toEqual([[IPC.engineCall, 'runs:list', {}]]);
  });

  it('hands run messages to the page without the IPC event, and stops when asked', () => {
    const { ipc, emit, listeners } = fakeIpc();
    const api = createDesktopHostApi(ipc);
    const received: unknown[][] = [];
    const stop = api.onRunMessage((...args) => received.push(args));
    emit(IPC.runMessage, { kind: 'run-ended', runId: 'r' });
    expect(received).toEqual([[{ kind: 'run-ended', runId: 'r' }]]);
    stop();
    expect(listeners.get(IPC.runMessage)?.size).toBe(0);
  });

  it('returns the picked folder, or null for anything that is not a path', async () => {
    expect(await createDesktopHostApi(fakeIpc({ [IPC.pickFolder]: '/data' }).ipc).pickFolder?.()).toBe('/data');
    expect(await createDesktopHostApi(fakeIpc({ [IPC.pickFolder]: null }).ipc).pickFolder?.()).toBeNull();
    expect(await createDesktopHostApi(fakeIpc({ [IPC.pickFolder]: { path: '/x' } }).ipc).pickFolder?.()).toBeNull();
  });

  it("follows the menu to the app's own routes only", () => {
    const { ipc, emit } = fakeIpc();
    const location = { hash: '' };
    followMenuNavigation(ipc, location);
    emit(IPC.navigate, '#/runs');
    expect(location.hash).toBe('#/runs');
    for (const bad of ['javascript:alert(1)', 'https://evil.example/', '#/runs"><script>', 42]) emit(IPC.navigate, bad);
    expect(location.hash).toBe('#/runs');
  });
});
