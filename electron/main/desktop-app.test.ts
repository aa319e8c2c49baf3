import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../engine/protocol/security';
import { IPC } from '../ipc-channels';
import { APP_INDEX_URL } from './app-protocol';
import { bundledPaths, GPU_WINDOW_URL, startDesktopApp } from './desktop-app';
import type { IpcMainInvokeEvent } from './electron-api';
import { fakeElectron } from './fake-electron';

const PATHS = bundledPaths('/opt/modality-studio/dist/electron');
const APP_URL = APP_INDEX_URL;

/** The app started with fakes; without its GPU window unless asked (its own tests below). */
async function started(options: Parameters<typeof fakeElectron>[0] = {}, gpuWindow = false) {
  const fake = fakeElectron(options);
  await startDesktopApp(
    fake.electron,
    PATHS,
    { MODALITY_STUDIO_HOME: '/home/me/ms', ...(gpuWindow ? {} : { MODALITY_STUDIO_NO_GPU_WINDOW: '1' }) },
    'linux',
  ).whenStarted;
  const window = fake.windows[0]!;
  const engine = fake.engines[0]!;
  // The page's top frame, after the user moved to #/runs.
  window.webContents.mainFrame.url = `${APP_URL}#/runs`;
  const fromWindow: IpcMainInvokeEvent = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
  const invoke = (channel: string, event: IpcMainInvokeEvent, ...args: unknown[]) =>
    fake.handlers.get(channel)!(event, ...args) as Promise<unknown>;
  return { fake, window, engine, fromWindow, invoke };
}

describe('the desktop main process', () => {
  it("opens one window with Electron's security checklist settings and the app's preload", async () => {
    const { fake, window } = await started();
    expect(fake.windows).toHaveLength(1);
    expect(window.options.webPreferences).toEqual({
      preload: PATHS.preload,
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
    });
    expect([window.options.width, window.options.height]).toEqual([1280, 800]);
    expect(window.loaded).toBe('app://modality-studio/index.html');
  });

  it("serves the app from its own app:// scheme, the renderer's files only, with the CSP", async () => {
    const { fake } = await started();
    expect(fake.schemes).toEqual(['app']);
    const index = await fake.request('app', 'app://modality-studio/index.html')!;
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(fake.fetched).toEqual(['file:///opt/modality-studio/dist/renderer/index.html']);
    for (const outside of [
      'app://modality-studio/..%2F..%2Fetc%2Fpasswd',
      'app://modality-studio/assets%2F..%2F..%2Felectron%2Fmain.cjs',
      'app://other-host/index.html',
      'app://modality-studio/%ff',
    ]) {
      expect((await fake.request('app', outside)!).status, outside).toBe(404);
    }
    // Dot segments are resolved by the URL parser itself, within the app's host: still the renderer's folder.
    await fake.request('app', 'app://modality-studio/%2e%2e/%2e%2e/electron/main.cjs');
    expect(fake.fetched).toEqual([
      'file:///opt/modality-studio/dist/renderer/index.html',
      'file:///opt/modality-studio/dist/renderer/electron/main.cjs',
    ]);
  });

  it('sends the strict Content-Security-Policy with every response and grants no permission', async () => {
    const { fake } = await started();
    expect(fake.responseHeaders()).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      expect(fake.askPermission(permission)).toBe(false);
      expect(fake.checkPermission(permission)).toBe(false);
    }
    expect(fake.askDevice()).toBe(false);
  });

  it('blocks navigation away from the app, new windows and webviews; web links open in the browser', async () => {
    const { fake, window } = await started();
    const contents = window.webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(false);
    expect(contents.navigate('will-redirect', 'file:///etc/passwd')).toBe(false);
    expect(contents.navigate('will-navigate', `${APP_URL}#/runs`)).toBe(true);
    // Parsed and compared exactly, not by prefix.
    for (const lookalike of [
      `${APP_URL}.evil`,
      `${APP_URL}/../x`,
      'app://modality-studio.evil.example/index.html',
      'app://user@modality-studio/index.html',
      `${APP_URL}?x=1`,
    ]) {
      expect(contents.navigate('will-navigate', lookalike), lookalike).toBe(false);
    }
    expect(contents.openHandler?.({ url: 'https://arxiv.org/abs/2305.01233' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://evil.example/phish' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://arxiv.org/abs/2305.01233']);
    let prevented = false;
    (contents.listeners.get('will-attach-webview') as (e: { preventDefault(): void }) => void)({
      preventDefault: () => {
        prevented = true;
      },
    });
    expect(prevented).toBe(true);
  });

  it("opens a hidden GPU window (no Node, a preload that exposes nothing) and hands it and the engine the two ends of one channel, with Linux's WebGPU switches", async () => {
    const { fake, window, engine } = await started({}, true);
    expect(fake.windows).toHaveLength(2);
    const gpu = fake.windows[1]!;
    expect(gpu.options.show).toBe(false);
    expect(gpu.options.webPreferences).toEqual({ ...window.options.webPreferences, preload: PATHS.gpuPreload });
    expect(gpu.loaded).toBe(GPU_WINDOW_URL);
    expect(fake.switches).toEqual(['enable-unsafe-webgpu', 'enable-features=Vulkan']);
    expect(engine.posted).toEqual([{ kind: 'gpu-port' }]);
    const [message, ports] = gpu.webContents.sent.find((s) => s.channel === IPC.gpuPort)!.args as [
      unknown,
      { end: number }[],
    ];
    expect(message).toBeNull();
    expect([engine.transferred[0], ports]).toEqual([[{ end: 1 }], [{ end: 2 }]]);
    // Engine calls from the GPU window are refused: it is not the app's window.
    const fromGpu: IpcMainInvokeEvent = { sender: gpu.webContents, senderFrame: { url: GPU_WINDOW_URL } };
    expect(await (fake.handlers.get(IPC.engineCall)!(fromGpu, 'runs:list', {}) as Promise<unknown>)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Closing the app's window closes the hidden one, so the app can quit.
    window.windowListeners.get('closed')!();
    expect(gpu.closed).toBe(true);
  });

  it('sets no switches on macOS and Windows, and opens no GPU window when MODALITY_STUDIO_NO_GPU_WINDOW is set', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const fake = fakeElectron();
      await startDesktopApp(fake.electron, PATHS, {}, platform).whenStarted;
      expect(fake.switches, platform).toEqual([]);
      expect(fake.windows).toHaveLength(2);
    }
    const { fake, engine } = await started();
    expect(fake.windows).toHaveLength(1);
    expect(engine.posted).toEqual([]);
  });

  it('starts the engine in a utility process with the environment, and stops it when the app quits', async () => {
    const { fake, engine } = await started();
    expect(engine.modulePath).toBe(PATHS.engineEntry);
    expect(engine.env.MODALITY_STUDIO_HOME).toBe('/home/me/ms');
    fake.appListeners.get('before-quit')!();
    expect(engine.killed).toBe(true);
  });

  it("relays the window's engine calls and the engine's answers, and forwards run messages to the window", async () => {
    const { window, engine, fromWindow, invoke } = await started();
    engine.emit({ kind: 'ready' });
    const answer = invoke(IPC.engineCall, fromWindow, 'runs:list', {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(engine.posted).toEqual([{ kind: 'request', id: 1, call: 'runs:list', params: {} }]);
    engine.emit({ kind: 'response', id: 1, result: { ok: true, value: { runs: [] } } });
    expect(await answer).toEqual({ ok: true, value: { runs: [] } });
    const message = { kind: 'run-event', runId: 'r', event: { type: 'log', level: 'info', message: 'hi' } };
    engine.emit(message);
    expect(window.webContents.sent).toEqual([{ channel: IPC.runMessage, args: [message] }]);
  });

  it('validates every IPC input: unknown calls, non-object params and other senders never reach the engine', async () => {
    const { engine, fromWindow, invoke, window } = await started();
    engine.emit({ kind: 'ready' });
    expect(await invoke(IPC.engineCall, fromWindow, 'fs:delete', {})).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await invoke(IPC.engineCall, fromWindow, 'runs:list', 'x')).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await invoke(IPC.engineCall, fromWindow, 'runs:list', [1])).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    const foreignFrame: IpcMainInvokeEvent = {
      sender: window.webContents,
      senderFrame: { url: 'https://evil.example/' },
    };
    expect(await invoke(IPC.engineCall, foreignFrame, 'runs:list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // A frame inside the page, even one showing the app's own URL, is not the top frame.
    const subFrame: IpcMainInvokeEvent = { sender: window.webContents, senderFrame: { url: APP_URL } };
    expect(await invoke(IPC.engineCall, subFrame, 'runs:list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const lookalike: IpcMainInvokeEvent = {
      sender: window.webContents,
      senderFrame: Object.assign(window.webContents.mainFrame, { url: `${APP_URL}.evil` }),
    };
    expect(await invoke(IPC.engineCall, lookalike, 'runs:list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    window.webContents.mainFrame.url = APP_URL;
    const otherContents: IpcMainInvokeEvent = {
      sender: Object.assign(Object.create(window.webContents) as typeof window.webContents, { id: 99 }),
      senderFrame: window.webContents.mainFrame,
    };
    expect(await invoke(IPC.engineCall, otherContents, 'runs:list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await invoke(IPC.pickFolder, foreignFrame)).toBeNull();
    expect(engine.posted).toEqual([]);
  });

  it('answers pending calls with an error when the engine process dies', async () => {
    const { engine, fromWindow, invoke } = await started();
    engine.emit({ kind: 'ready' });
    const answer = invoke(IPC.engineCall, fromWindow, 'runs:list', {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    engine.exit(134);
    expect(await answer).toMatchObject({
      ok: false,
      error: { code: 'engine-exited', message: expect.stringContaining('134') },
    });
    expect(await invoke(IPC.engineCall, fromWindow, 'runs:list', {})).toMatchObject({
      ok: false,
      error: { code: 'engine-exited' },
    });
  });

  it('lets the page make the engine write only inside a folder the user picked', async () => {
    const { engine, fromWindow, invoke } = await started({ pickedFolder: '/home/me/models' });
    engine.emit({ kind: 'ready' });
    const exportTo = (dir: string) => invoke(IPC.engineCall, fromWindow, 'model:export', { runId: 'r1', dir });
    expect(await exportTo('/home/me/.config/autostart/model')).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('Browse') },
    });
    expect(
      await invoke(IPC.engineCall, fromWindow, 'run:start', { dataset: 'synthetic-mixed', out: '/etc/cron.d/x' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(engine.posted).toEqual([]);
    expect(await invoke(IPC.pickFolder, fromWindow)).toBe('/home/me/models');
    expect(await exportTo('/home/me/models/../.ssh/model')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    void exportTo('/home/me/models/modality-studio-model-r1');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(engine.posted).toEqual([
      {
        kind: 'request',
        id: 1,
        call: 'model:export',
        params: { runId: 'r1', dir: '/home/me/models/modality-studio-model-r1' },
      },
    ]);
    // Calls that write nowhere, and a run that saves its model to the app's own folder, pass as before.
    void invoke(IPC.engineCall, fromWindow, 'run:start', { dataset: 'synthetic-mixed' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(engine.posted).toHaveLength(2);
  });

  it('picks a folder with the native dialog, or null when the user cancels', async () => {
    const picked = await started({ pickedFolder: '/data/flowers' });
    expect(await picked.invoke(IPC.pickFolder, picked.fromWindow)).toBe('/data/flowers');
    const cancelled = await started({ pickedFolder: null });
    expect(await cancelled.invoke(IPC.pickFolder, cancelled.fromWindow)).toBeNull();
  });

  it('lets a second launch focus the first window instead of opening another', async () => {
    const second = fakeElectron({ singleInstance: false });
    await startDesktopApp(second.electron, PATHS, {}, 'linux').whenStarted;
    expect(second.quitCalls).toBe(1);
    expect(second.windows).toHaveLength(0);
    expect(second.engines).toHaveLength(0);
  });

  it('has a menu with the pages of the app that navigates the window', async () => {
    const { fake, window } = await started();
    const file = fake.menu.find((item) => item.label === 'File');
    file?.submenu?.find((item) => item.label === 'Runs')?.click?.();
    expect(window.webContents.sent).toContainEqual({ channel: IPC.navigate, args: ['#/runs'] });
  });

  it('is packaged with fuses that turn off run-as-node, NODE_OPTIONS and the inspector, and load only the checked asar', () => {
    const { build } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      build: { electronFuses: Record<string, boolean> };
    };
    expect(build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
