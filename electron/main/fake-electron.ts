import type {
  BrowserWindowOptions,
  ElectronApi,
  IpcMainInvokeEvent,
  MenuItemOptions,
  NavigationEvent,
  PermissionHandler,
  UtilityProcessLike,
  WebContentsLike,
  WindowLike,
} from './electron-api';

type Listener = (...args: never[]) => unknown;

/** A recording stand-in for Electron's main-process API, for the main process's unit tests. */
export function fakeElectron(options: { singleInstance?: boolean; pickedFolder?: string | null } = {}) {
  const appListeners = new Map<string, (...args: never[]) => void>();
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  const windows: FakeWindow[] = [];
  const engines: FakeEngine[] = [];
  const opened: string[] = [];
  let quit = 0;
  let menu: MenuItemOptions[] = [];
  let permissionHandler: PermissionHandler | null = null;
  let permissionCheck: ((contents: unknown, permission: string) => boolean) | null = null;
  let devicePermission: ((details: unknown) => boolean) | null = null;
  const schemes: string[] = [];
  const protocolHandlers = new Map<string, (request: { url: string }) => Response | Promise<Response>>();
  const fetched: string[] = [];
  const switches: string[] = [];
  let channels = 0;
  let headersListener:
    Parameters<ElectronApi['session']['defaultSession']['webRequest']['onHeadersReceived']>[0] | null = null;

  class FakeContents implements WebContentsLike {
    readonly id = 1 + windows.length;
    readonly mainFrame = { url: '' };
    readonly sent: { channel: string; args: unknown[] }[] = [];
    readonly listeners = new Map<string, Listener>();
    openHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null = null;
    send(channel: string, ...args: unknown[]) {
      this.sent.push({ channel, args });
    }
    postMessage(channel: string, message: unknown, transfer: unknown[] = []) {
      this.sent.push({ channel, args: [message, transfer] });
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }) {
      this.openHandler = handler;
    }
    isDestroyed() {
      return false;
    }
    /** Fires a navigation event; true when the app let it happen. */
    navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
      let prevented = false;
      const navigation: NavigationEvent = {
        preventDefault: () => {
          prevented = true;
        },
      };
      (this.listeners.get(event) as ((e: NavigationEvent, url: string) => void) | undefined)?.(navigation, url);
      return !prevented;
    }
  }

  class FakeWindow implements WindowLike {
    readonly webContents = new FakeContents();
    loaded: string | null = null;
    constructor(readonly options: BrowserWindowOptions) {
      windows.push(this);
      // Electron fires web-contents-created for every new contents, the window's included.
      (appListeners.get('web-contents-created') as ((event: unknown, contents: FakeContents) => void) | undefined)?.(
        {},
        this.webContents,
      );
    }
    async loadURL(url: string) {
      this.loaded = url;
      this.webContents.mainFrame.url = url;
    }
    readonly windowListeners = new Map<string, () => void>();
    once() {}
    on(event: string, listener: () => void) {
      this.windowListeners.set(event, listener);
    }
    closed = false;
    show() {}
    close() {
      this.closed = true;
    }
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
  }

  class FakeEngine implements UtilityProcessLike {
    readonly pid = 4242;
    readonly posted: unknown[] = [];
    readonly listeners = new Map<string, (value: never) => void>();
    killed = false;
    constructor(
      readonly modulePath: string,
      readonly env: Record<string, string | undefined>,
    ) {
      engines.push(this);
    }
    readonly transferred: unknown[][] = [];
    postMessage(message: unknown, transfer: unknown[] = []) {
      this.posted.push(message);
      this.transferred.push(transfer);
    }
    on(event: string, listener: (value: never) => void) {
      this.listeners.set(event, listener);
    }
    kill() {
      this.killed = true;
      return true;
    }
    /** The engine process sends a message to main. */
    emit(message: unknown) {
      (this.listeners.get('message') as ((m: unknown) => void) | undefined)?.(message);
    }
    exit(code: number) {
      (this.listeners.get('exit') as ((c: number) => void) | undefined)?.(code);
    }
  }

  const electron: ElectronApi = {
    app: {
      requestSingleInstanceLock: () => options.singleInstance ?? true,
      quit: () => {
        quit += 1;
      },
      whenReady: () => Promise.resolve(),
      on: (event: string, listener: (...args: never[]) => void) => {
        appListeners.set(event, listener);
      },
      getVersion: () => '0.1.0',
      isPackaged: false,
      commandLine: {
        appendSwitch: (name, value) => {
          switches.push(value === undefined ? name : `${name}=${value}`);
        },
      },
    },
    MessageChannelMain: class {
      readonly port1 = { end: 1 + 2 * channels++ };
      readonly port2 = { end: this.port1.end + 1 };
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel, handler) => {
        handlers.set(channel, handler);
      },
    },
    dialog: {
      showOpenDialog: async () =>
        options.pickedFolder === null
          ? { canceled: true, filePaths: [] }
          : { canceled: false, filePaths: [options.pickedFolder ?? '/data/set'] },
    },
    Menu: {
      buildFromTemplate: (template) => {
        menu = template;
        return template;
      },
      setApplicationMenu: () => undefined,
    },
    utilityProcess: { fork: (modulePath, _args, forkOptions) => new FakeEngine(modulePath, forkOptions.env) },
    protocol: {
      registerSchemesAsPrivileged: (list) => {
        schemes.push(...list.map((s) => s.scheme));
      },
      handle: (scheme, handler) => {
        protocolHandlers.set(scheme, handler);
      },
    },
    net: {
      fetch: async (url) => {
        fetched.push(url);
        return new Response(`contents of ${url}`, { headers: { 'Content-Type': 'text/html' } });
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler) => {
          permissionHandler = handler;
        },
        setPermissionCheckHandler: (handler) => {
          permissionCheck = handler;
        },
        setDevicePermissionHandler: (handler) => {
          devicePermission = handler;
        },
        webRequest: {
          onHeadersReceived: (listener) => {
            headersListener = listener;
          },
        },
      },
    },
    shell: {
      openExternal: async (url) => {
        opened.push(url);
      },
    },
  };

  return {
    electron,
    windows,
    engines,
    handlers,
    opened,
    appListeners,
    get quitCalls() {
      return quit;
    },
    get menu() {
      return menu;
    },
    schemes,
    fetched,
    /** Chromium switches the app set. */
    switches,
    /** Asks the app's protocol handler for `url`, as the window's page would. */
    request(scheme: string, url: string): Promise<Response> | Response | undefined {
      return protocolHandlers.get(scheme)?.({ url });
    },
    /** What the session answers to a permission request, a permission check and a device request. */
    askPermission(permission: string): boolean {
      let granted = true;
      permissionHandler?.(null, permission, (value) => {
        granted = value;
      });
      return granted;
    },
    checkPermission(permission: string): boolean {
      return permissionCheck ? permissionCheck(null, permission) : true;
    },
    askDevice(): boolean {
      return devicePermission ? devicePermission({ deviceType: 'usb' }) : true;
    },
    /** The headers the session adds to a response. */
    responseHeaders(): Record<string, string[]> {
      let headers: Record<string, string[]> = {};
      headersListener?.({ responseHeaders: { 'Content-Type': ['text/html'] } }, (response) => {
        headers = response.responseHeaders;
      });
      return headers;
    },
  };
}
