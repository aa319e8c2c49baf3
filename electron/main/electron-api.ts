/**
 * The part of Electron's main-process API this app uses, typed here so that the main process can be
 * unit-tested with fakes (and type-checked where the Electron package could not be installed). The entry
 * point hands the real `require('electron')` in; the shapes below are Electron's own, narrowed.
 */

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  experimentalFeatures: boolean;
  spellcheck: boolean;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth?: number;
  minHeight?: number;
  title: string;
  show: boolean;
  backgroundColor?: string;
  /** The GPU window: never shown, never in the taskbar. */
  skipTaskbar?: boolean;
  webPreferences: WebPreferences;
}

export interface FrameLike {
  url: string;
}

export interface IpcMainInvokeEvent {
  senderFrame: FrameLike | null;
  sender: WebContentsLike;
}

export interface NavigationEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  id: number;
  /** The top frame; IPC is answered for it only, never for a frame inside the page. */
  mainFrame: FrameLike;
  send(channel: string, ...args: unknown[]): void;
  /** Sends a message with transferred MessagePortMain objects (the GPU window's channel end). */
  postMessage(channel: string, message: unknown, transfer?: unknown[]): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: NavigationEvent) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  isDestroyed(): boolean;
}

/** What `app.on('web-contents-created')` hands over: every web contents, windows and anything else. */
export type CreatedWebContents = Pick<WebContentsLike, 'on' | 'setWindowOpenHandler'>;

export interface WindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
  close(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

export interface UtilityProcessLike {
  pid: number | undefined;
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface MenuItemOptions {
  label?: string;
  role?: string;
  type?: 'separator' | 'normal' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemOptions[];
}

export interface PermissionHandler {
  (webContents: unknown, permission: string, callback: (granted: boolean) => void): void;
}

export interface ElectronApi {
  app: {
    requestSingleInstanceLock(): boolean;
    quit(): void;
    whenReady(): Promise<void>;
    on(event: 'second-instance' | 'window-all-closed' | 'before-quit' | 'activate', listener: () => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: CreatedWebContents) => void): void;
    getVersion(): string;
    isPackaged: boolean;
    commandLine: { appendSwitch(name: string, value?: string): void };
  };
  /** A channel of two MessagePortMain ends, handed to two processes. */
  MessageChannelMain: new () => { port1: unknown; port2: unknown };
  BrowserWindow: new (options: BrowserWindowOptions) => WindowLike;
  ipcMain: { handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void };
  dialog: {
    showOpenDialog(
      window: WindowLike,
      options: { title: string; properties: string[] },
    ): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  Menu: { buildFromTemplate(template: MenuItemOptions[]): unknown; setApplicationMenu(menu: unknown): void };
  utilityProcess: {
    fork(
      modulePath: string,
      args: string[],
      options: { serviceName: string; env: Record<string, string | undefined>; stdio: 'inherit' | 'pipe' },
    ): UtilityProcessLike;
  };
  protocol: {
    registerSchemesAsPrivileged(
      schemes: { scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean } }[],
    ): void;
    handle(scheme: string, handler: (request: { url: string }) => Response | Promise<Response>): void;
  };
  net: { fetch(url: string): Promise<Response> };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: PermissionHandler): void;
      setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
      setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
      webRequest: {
        onHeadersReceived(
          listener: (
            details: { responseHeaders?: Record<string, string[]> },
            callback: (response: { responseHeaders: Record<string, string[]> }) => void,
          ) => void,
        ): void;
      };
    };
  };
  shell: { openExternal(url: string): Promise<void> };
}
