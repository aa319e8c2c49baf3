import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY } from '../../engine/protocol/security';
import { IPC } from '../ipc-channels';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, appFileFor, isAppPageUrl } from './app-protocol';
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
  /** The GPU window's preload: it hands the page the engine's channel end and nothing else. */
  gpuPreload: string;
}

/** The hidden GPU window's page (engine/runtime/webgpu/gpu-window.ts, built beside the renderer's files). */
export const GPU_WINDOW_URL = `${APP_ORIGIN}/gpu-window.html`;

/**
 * Chromium's WebGPU on Linux is behind these switches (electron/electron 41763, 40929): WebGPU itself, and the
 * Vulkan backend Dawn uses there. Windows and macOS have it by default.
 */
export function webgpuSwitches(platform: NodeJS.Platform): [string, string?][] {
  return platform === 'linux' ? [['enable-unsafe-webgpu'], ['enable-features', 'Vulkan']] : [];
}

/**
 * The desktop app's main process: one window (a second launch focuses it), the app menu, the native folder
 * picker, and the engine in a utility process whose protocol it relays to the window. Electron is passed in,
 * so tests can run all of this with fakes.
 */
export function startDesktopApp(
  electron: ElectronApi,
  paths: DesktopPaths,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): { whenStarted: Promise<void> } {
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
  // Switches must be set before the app is ready.
  for (const [name, value] of webgpuSwitches(platform)) electron.app.commandLine.appendSwitch(name, value);
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
    const engine = electron.utilityProcess.fork(paths.engineEntry, [], {
      serviceName: 'Modality Studio engine',
      env: { ...env },
      stdio: 'inherit',
    });
    relay = new EngineRelay(engine, (message) => {
      if (window && !window.webContents.isDestroyed()) window.webContents.send(IPC.runMessage, message);
    });
    // The app window's top frame, showing the app's own page: not another window, not a frame inside it.
    const fromApp = (event: IpcMainInvokeEvent) =>
      Boolean(window) &&
      event.sender.id === window?.webContents.id &&
      event.senderFrame !== null &&
      event.senderFrame === event.sender.mainFrame &&
      isAppPageUrl(event.senderFrame.url);
    electron.ipcMain.handle(IPC.engineCall, (event, name, params) => {
      if (!fromApp(event))
        return {
          ok: false,
          error: { code: 'forbidden', message: 'Engine calls are answered for the app window only.' },
        };
      const refusal = writeTargetRefusal(String(name), params, picked);
      if (refusal) return { ok: false, error: { code: 'forbidden', message: refusal } };
      return relay?.call(name, params);
    });
    electron.ipcMain.handle(IPC.pickFolder, async (event) => {
      if (!fromApp(event) || !window) return null;
      const chosen = await electron.dialog.showOpenDialog(window, {
        title: 'Choose a folder',
        properties: ['openDirectory', 'createDirectory'],
      });
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
    // The hidden GPU window would keep the app alive (window-all-closed) after the user closed the app's window.
    shown.on('closed', () => {
      window = null;
      gpuWindow?.close();
    });
    electron.Menu.setApplicationMenu(
      electron.Menu.buildFromTemplate(menuTemplate(platform, (hash) => window?.webContents.send(IPC.navigate, hash))),
    );
    // The engine's process cannot hold a WebGPU device in Electron (dawn-gpu/node-webgpu 5): a hidden window
    // with no Node lends it Chromium's, over a channel of its own. MODALITY_STUDIO_NO_GPU_WINDOW=1 leaves it out.
    const gpuWindow = env.MODALITY_STUDIO_NO_GPU_WINDOW
      ? null
      : new electron.BrowserWindow({
          width: 320,
          height: 240,
          title: 'Modality Studio GPU',
          show: false,
          skipTaskbar: true,
          webPreferences: secureWebPreferences(paths.gpuPreload),
        });
    const gpuReady = gpuWindow?.loadURL(GPU_WINDOW_URL).then(
      () => {
        const channel = new electron.MessageChannelMain();
        engine.postMessage({ kind: 'gpu-port' }, [channel.port1]);
        gpuWindow.webContents.postMessage(IPC.gpuPort, null, [channel.port2]);
      },
      (error: Error) => console.warn(`The GPU window did not load (${error.message}); the engine trains on the CPU.`),
    );
    await shown.loadURL(APP_INDEX_URL);
    await gpuReady;
  });
  return { whenStarted };
}

/** Where the bundled files sit relative to the bundled main script (dist/electron/main.cjs). */
export function bundledPaths(mainDir: string): DesktopPaths {
  return {
    indexHtml: path.join(mainDir, '..', 'renderer', 'index.html'),
    preload: path.join(mainDir, 'preload.cjs'),
    engineEntry: path.join(mainDir, '..', 'engine', 'child-main.mjs'),
    gpuPreload: path.join(mainDir, 'gpu-preload.cjs'),
  };
}
