/**
 * The preload script (bundled to dist/electron/preload.cjs; sandboxed, so `electron` is the only module it
 * may require). It exposes the typed host API with contextBridge and nothing else.
 */
import { createDesktopHostApi, followMenuNavigation, type IpcRendererLike } from './host-api';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload has require('electron') and no ES imports of it
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

contextBridge.exposeInMainWorld('api', createDesktopHostApi(ipcRenderer));
followMenuNavigation(ipcRenderer, window.location);
