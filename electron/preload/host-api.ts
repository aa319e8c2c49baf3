import type { EngineCallName, EngineCalls, EngineResult, HostApi, RunMessage } from '../../engine/protocol/engine';
import { IPC } from '../ipc-channels';

/** The part of Electron's `ipcRenderer` the preload uses (tests pass a fake). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

/**
 * The desktop host API the renderer sees as `window.api`: one typed function per capability, each sending
 * exactly one channel. The raw `ipcRenderer` never reaches the page.
 */
export function createDesktopHostApi(ipc: IpcRendererLike): HostApi {
  return {
    kind: 'desktop',
    call<K extends EngineCallName>(
      name: K,
      params: EngineCalls[K]['params'],
    ): Promise<EngineResult<EngineCalls[K]['result']>> {
      return ipc.invoke(IPC.engineCall, name, params) as Promise<EngineResult<EngineCalls[K]['result']>>;
    },
    onRunMessage(listener: (message: RunMessage) => void): () => void {
      // The page's listener gets the message only, never the IPC event (which carries the sender).
      const relay = (_event: unknown, message: unknown) => listener(message as RunMessage);
      ipc.on(IPC.runMessage, relay);
      return () => ipc.removeListener(IPC.runMessage, relay);
    },
    async pickFolder(): Promise<string | null> {
      const picked = await ipc.invoke(IPC.pickFolder);
      return typeof picked === 'string' ? picked : null;
    },
  };
}

/** Menu items (New Run, Runs) move the page to one of its own routes, and nowhere else. */
export function followMenuNavigation(ipc: IpcRendererLike, location: { hash: string }): void {
  ipc.on(IPC.navigate, (_event, hash) => {
    if (typeof hash === 'string' && /^#\/[\w/,-]*$/.test(hash)) location.hash = hash;
  });
}
