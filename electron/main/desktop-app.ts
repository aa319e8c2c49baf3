import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC } from '../ipc-channels';
import type { ElectronApi, IpcMainInvokeEvent, WindowLike } from './electron-api';
import { EngineRelay } from './engine-relay';
import { menuTemplate } from './menu';
import { lockDownSession, lockDownWindow, secureWebPreferences } from './security';

export interface DesktopPaths {
  /** The built renderer's index.html. */
  indexHtml: string;
  /** The bundled preload script. */
  preload: string;
  /** The bundled engine entry (engine/process/child-main), run in a utility process. */
  engineEntry: string;
}

/**
 * The desktop app's main process: one window (a second launch focuses it), the app menu, the native folder
 * picker, and the engine in a utility process whose protocol it relays to the window. Electron is passed in,
 * so tests can run all of this with fakes.
 */
export function startDesktopApp(electron: ElectronApi, paths: DesktopPaths, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): { whenStarted: Promise<void> } {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { whenStarted: Promise.resolve() };
  }
  let window: WindowLike | null = null;
  let relay: EngineRelay | null = null;
  const appUrl = pathToFileURL(paths.indexHtml).href;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => relay?.stop());

  const whenStarted = app.whenReady().then(async () => {
    lockDownSession(electron);
    const engine = electron.utilityProcess.fork(paths.engineEntry, [], { serviceName: 'Modality Studio engine', env: { ...env }, stdio: 'inherit' });
    relay = new EngineRelay(engine, (message) => {
      if (window && !window.webContents.isDestroyed()) window.webContents.send(IPC.runMessage, message);
    });
    const fromApp = (event: IpcMainInvokeEvent) => Boolean(window) && event.sender.id === window?.webContents.id && (event.senderFrame?.url ?? '').startsWith(appUrl);
    electron.ipcMain.handle(IPC.engineCall, (event, name, params) => {
      if (!fromApp(event)) return { ok: false, error: { code: 'forbidden', message: 'Engine calls are answered for the app window only.' } };
      return relay?.call(name, params);
    });
    electron.ipcMain.handle(IPC.pickFolder, async (event) => {
      if (!fromApp(event) || !window) return null;
      const picked = await electron.dialog.showOpenDialog(window, { title: 'Choose a dataset folder', properties: ['openDirectory'] });
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    });

    window = new electron.BrowserWindow({
      width: 1280,
      height: 800,
      minWidth: 960,
      minHeight: 640,
      title: 'Modality Studio',
      show: false,
      backgroundColor: '#f6f7f9',
      webPreferences: secureWebPreferences(paths.preload),
    });
    lockDownWindow(electron, window, appUrl);
    const shown = window;
    shown.once('ready-to-show', () => shown.show());
    shown.on('closed', () => { window = null; });
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(menuTemplate(platform, (hash) => window?.webContents.send(IPC.navigate, hash))));
    await shown.loadFile(paths.indexHtml);
  });
  return { whenStarted };
}

/** Where the bundled files sit relative to the bundled main script (dist/electron/main.cjs). */
export function bundledPaths(mainDir: string): DesktopPaths {
  return {
    indexHtml: path.join(mainDir, '..', 'renderer', 'index.html'),
    preload: path.join(mainDir, 'preload.cjs'),
    engineEntry: path.join(mainDir, '..', 'engine', 'child-main.mjs'),
  };
}
