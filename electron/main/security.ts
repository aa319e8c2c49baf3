import { CONTENT_SECURITY_POLICY } from '../../engine/protocol/security';
import { isAppPageUrl } from './app-protocol';
import type { CreatedWebContents, ElectronApi, WebPreferences } from './electron-api';

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

/** The only pages outside the app that it links to: they open in the user's browser, nothing else does. */
export const EXTERNAL_LINKS: readonly string[] = ['https://arxiv.org/abs/2305.01233'];

function isAllowedExternal(url: string): boolean {
  try {
    const parsed = new URL(url);
    return EXTERNAL_LINKS.some((allowed) => {
      const target = new URL(allowed);
      return parsed.protocol === target.protocol && parsed.host === target.host && parsed.pathname === target.pathname;
    });
  } catch {
    return false;
  }
}

/**
 * No navigation away from the app's own page, no new windows (the few links the app has open in the user's
 * browser), no <webview>. Applied to every web contents the app creates (`web-contents-created`), so a
 * contents made later (a devtools view, a future window) is held to the same rules.
 */
export function lockDownContents(electron: Pick<ElectronApi, 'shell'>, contents: CreatedWebContents): void {
  const stayHome = (event: { preventDefault(): void }, url: string) => {
    if (!isAppPageUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void electron.shell.openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Session-wide: the CSP header on every response, and no permission granted to any page, whether it asks
 * (request handler), is checked for one (check handler), or wants a device (USB, HID, serial).
 */
export function lockDownSession(electron: Pick<ElectronApi, 'session'>): void {
  const session = electron.session.defaultSession;
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
