import type { ElectronApi, WebPreferences, WindowLike } from './electron-api';
import { CONTENT_SECURITY_POLICY } from '../../engine/protocol/security';

/**
 * The window's web preferences, as Electron's security checklist asks: the renderer is a sandboxed web page
 * with no Node, its preload runs in an isolated world, and nothing it loads may lower that.
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}


/**
 * No navigation away from the app's own page, no new windows (links to the web open in the user's browser),
 * no <webview>, and every permission (camera, notifications, …) refused: the app needs none.
 */
export function lockDownWindow(electron: Pick<ElectronApi, 'shell'>, window: WindowLike, appUrl: string): void {
  const contents = window.webContents;
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!url.startsWith(appUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void electron.shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Session-wide: the CSP header on every response, and no permission granted to any page. */
export function lockDownSession(electron: Pick<ElectronApi, 'session'>): void {
  const session = electron.session.defaultSession;
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
