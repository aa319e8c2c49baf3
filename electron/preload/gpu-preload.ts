/**
 * The GPU window's preload (bundled to dist/electron/gpu-preload.cjs; sandboxed, `electron` is the only module
 * it may require). It exposes nothing: it passes the engine's channel end, when main sends it, to the page
 * (engine/runtime/webgpu/gpu-window.ts), which trains the engine's compiled networks on Chromium's WebGPU.
 */
import { IPC } from '../ipc-channels';

interface GpuPreloadElectron {
  ipcRenderer: { on(channel: string, listener: (event: { ports: MessagePort[] }) => void): void };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload has require('electron') and no ES imports of it
const { ipcRenderer } = require('electron') as GpuPreloadElectron;

ipcRenderer.on(IPC.gpuPort, (event) => {
  // From the isolated world to the page's: window.postMessage carries transferable ports across.
  window.postMessage(GPU_PORT_MESSAGE, window.location.origin, event.ports);
});

/** The page's cue (engine/runtime/webgpu/gpu-window.ts says the same). */
const GPU_PORT_MESSAGE = 'modality-studio:gpu-port';
