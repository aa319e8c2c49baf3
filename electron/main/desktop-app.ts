import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../engine/protocol/security';
import { IPC } from '../ipc-channels';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileFor, isAppPageUrl } from './app-protocol';
import type { ElectronApi, IpcMainInvokeEvent, WindowLike } from './electron-api';
import { EngineRelay } from './engine-relay';
import { menuTemplate } from './menu';
import { lockDownContents, lockDownSession, secureWebPreferences } from './security';
import { writeTargetRefusal } from './write-targets';

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
  /** Folders the user chose in the native picker this session: the only places the page may make the engine write. */
  const picked = new Set<string>();
  electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) => lockDownContents(electron, contents));

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => relay?.stop());

  const whenStarted = app.whenReady().then(async () => {
    lockDownSession(electron);
    electron.protocol.handle(APP_SCHEME, async (request) => {
      const file = appFileFor(path.dirname(paths.indexHtml), request.url);
      if (!file) return new Response('Not found', { status: 404 });
      const response = await electron.net.fetch(pathToFileURL(file).href);
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });
    const engine = electron.utilityProcess.fork(paths.engineEntry, [], { serviceName: 'Modality Studio engine', env: { ...env }, stdio: 'inherit' });
    relay = new EngineRelay(engine, (message) => {
      if (window && !window.webContents.isDestroyed()) window.webContents.send(IPC.runMessage, message);
    });
    // The app window's top frame, showing the app's own page: not another window, not a frame inside it.
    const fromApp = (event: IpcMainInvokeEvent) => Boolean(window) && event.sender.id === window?.webContents.id
      && event.senderFrame !== null && event.senderFrame === event.sender.mainFrame && isAppPageUrl(event.senderFrame.url);
    electron.ipcMain.handle(IPC.engineCall, (event, name, params) => {
      if (!fromApp(event)) return { ok: false, error: { code: 'forbidden', message: 'Engine calls are answered for the app window only.' } };
      const refusal = writeTargetRefusal(String(name), params, picked);
      if (refusal) return { ok: false, error: { code: 'forbidden', message: refusal } };
      return relay?.call(name, params);
    });
    electron.ipcMain.handle(IPC.pickFolder, async (event) => {
      if (!fromApp(event) || !window) return null;
      const chosen = await electron.dialog.showOpenDialog(window, { title: 'Choose a folder', properties: ['openDirectory', 'createDirectory'] });
      const folder = chosen.canceled ? null : (chosen.filePaths[0] ?? null);
      if (folder) picked.add(path.resolve(folder));
      return folder;
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
    const shown = window;
    shown.once('ready-to-show', () => shown.show());
    shown.on('closed', () => { window = null; });
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(menuTemplate(platform, (hash) => window?.webContents.send(IPC.navigate, hash))));
    await shown.loadURL(APP_INDEX_URL);
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
