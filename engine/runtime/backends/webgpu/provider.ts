import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendInfo, type BackendProvider } from '../provider';
import { awaitRemoteGpu } from '../../webgpu/remote-gpu-slot';
import type { RemoteGpu } from '../../webgpu/remote-step';
import { wasmBackend } from '../wasm/provider';
import { nodeGpu } from './dawn';

/** How long the GPU window may take to say which adapter it has (Chromium starts its GPU process first). */
const REMOTE_HELLO_MS = 20_000;

/**
 * WebGPU through the desktop app's GPU window: the compiled networks train there (step-maker.ts); what the
 * engine does not compile (the linear probes, tfjs's own ops) runs on the wasm backend in this process.
 */
async function activateRemote(remote: RemoteGpu): Promise<BackendInfo> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`the GPU window did not answer within ${REMOTE_HELLO_MS / 1000} s`)),
      REMOTE_HELLO_MS,
    ).unref(),
  );
  const adapter = await Promise.race([remote.adapter, timeout]).catch((error: Error) => {
    throw new Error(`Chromium's WebGPU is not usable in the desktop app (${error.message})`);
  });
  const wasm = await wasmBackend.activate();
  const { vendor, architecture, description, software } = adapter;
  return { ...wasm, name: 'webgpu', adapter: { vendor, architecture, description, ...(software ? { software } : {}) } };
}

/**
 * WebGPU on Dawn's Node binding (the CLI and web mode), or through the desktop app's GPU window (Chromium's
 * WebGPU; `activateRemote` above): tfjs's WebGPU backend on the adapter Dawn finds. The run records the adapter
 * (vendor, architecture, driver). Networks the engine builds train and infer on its compiled network
 * (engine/runtime/webgpu); the rest on tfjs's WebGPU kernels, which spend ~0.35 ms of host time per op
 * (../shared/gpu/DEVICE.md): `auto` times the run's model this way before it chooses this (choose-backend.ts).
 */
export const webgpuBackend: BackendProvider<'webgpu'> = {
  name: 'webgpu',
  tfBackend: 'webgpu',
  installHint:
    "install the npm package webgpu (npm install webgpu; its Dawn binaries ship in the package) and a Vulkan driver (Linux: libvulkan1 and your GPU's driver, or Mesa 25's mesa-vulkan-drivers for a software adapter)",
  async activate() {
    // The desktop app: the engine's process has no WebGPU of its own; the GPU window's Chromium lends its own
    // (the window may still be loading when the first backend is chosen).
    const remote = await awaitRemoteGpu(REMOTE_HELLO_MS);
    if (remote) return activateRemote(remote);
    // Dawn's binding crashes in Electron's processes (external ArrayBuffers vs its memory cage: dawn-gpu/node-webgpu 5).
    if (process.versions.electron)
      throw new Error(
        "the desktop app's GPU window is not open (MODALITY_STUDIO_NO_GPU_WINDOW is set, or the window did not load), and Dawn cannot run in the app's engine process",
      );
    const { gpu, info } = await nodeGpu();
    // tfjs's WebGPU backend asks `navigator.gpu` for its adapter; Node 20 has no navigator.
    if (!('navigator' in globalThis) || !(globalThis.navigator as { gpu?: GPU } | undefined)?.gpu) {
      Object.defineProperty(globalThis, 'navigator', {
        value: { ...(globalThis.navigator ?? {}), gpu },
        configurable: true,
        writable: true,
      });
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error("tfjs's WebGPU backend did not start on this adapter");
    return {
      name: 'webgpu',
      tfBackend: 'webgpu',
      version: packageVersion('@tensorflow/tfjs-backend-webgpu'),
      threads: 1,
      adapter: info,
    };
  },
};
