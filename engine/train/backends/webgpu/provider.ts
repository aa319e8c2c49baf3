import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendProvider } from '../provider';
import { nodeGpu } from './dawn';

/**
 * WebGPU on Dawn's Node binding (the CLI and web mode; the desktop app takes Chromium's WebGPU): tfjs's
 * WebGPU backend on the adapter Dawn finds. The run records the adapter (vendor, architecture, driver).
 * MLP networks train on the engine's compiled step (engine/train/webgpu); the rest on tfjs's WebGPU kernels,
 * which spend ~0.35 ms of host time per op (../shared/gpu/DEVICE.md): `auto` times both ways on the run's
 * model before it chooses this (choose-backend.ts).
 */
export const webgpuBackend: BackendProvider<'webgpu'> = {
  name: 'webgpu',
  tfBackend: 'webgpu',
  installHint: 'install the npm package webgpu (npm install webgpu; its Dawn binaries ship in the package) and a Vulkan driver (Linux: libvulkan1 and your GPU\'s driver, or Mesa 25\'s mesa-vulkan-drivers for a software adapter)',
  async activate() {
    const { gpu, info } = await nodeGpu();
    // tfjs's WebGPU backend asks `navigator.gpu` for its adapter; Node 20 has no navigator.
    if (!('navigator' in globalThis) || !(globalThis.navigator as { gpu?: GPU } | undefined)?.gpu) {
      Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs\'s WebGPU backend did not start on this adapter');
    return { name: 'webgpu', tfBackend: 'webgpu', version: packageVersion('@tensorflow/tfjs-backend-webgpu'), threads: 1, adapter: info };
  },
};
