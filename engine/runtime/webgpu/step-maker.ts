import { activeBackend } from '../backends/select-backend';
import { contextFor } from './gpu-context';
import { CompiledNetworkStep } from './network-step';
import type { NetworkStepSpec } from './network-layout';
import type { NetworkStepLike } from './network-step-like';
import { remoteGpu } from './remote-gpu-slot';
import { webgpuDevice } from './webgpu-device';

/** Makes compiled networks on the GPU the engine trains on now. */
export interface StepMaker {
  create(spec: NetworkStepSpec): Promise<NetworkStepLike>;
  /** The device's limit on one storage binding. */
  maxBindingBytes: number;
}

/**
 * Where compiled networks run, or null when they do not: tfjs's WebGPU device in this process (CLI, web mode),
 * or the attached remote GPU while the active backend is `webgpu` through it (desktop app).
 */
export function stepMaker(): StepMaker | null {
  const device = webgpuDevice();
  if (device)
    return {
      create: async (spec) => new CompiledNetworkStep(contextFor(device), spec),
      maxBindingBytes: device.limits.maxStorageBufferBindingSize,
    };
  const gpu = remoteGpu();
  const described = gpu?.described;
  if (gpu && described && activeBackend()?.name === 'webgpu')
    return { create: (spec) => gpu.createStep(spec), maxBindingBytes: described.maxStorageBufferBindingSize };
  return null;
}
