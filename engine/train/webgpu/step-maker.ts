import { activeBackend } from '../backends/select-backend';
import { contextFor } from './gpu-context';
import { CompiledNetworkStep } from './network-step';
import type { NetworkStepSpec } from './network-layout';
import type { NetworkStepLike } from './network-step-like';
import type { RemoteGpu } from './remote-step';
import { webgpuDevice } from './webgpu-device';

/** Makes compiled networks on the GPU the engine trains on now. */
export interface StepMaker {
  create(spec: NetworkStepSpec): Promise<NetworkStepLike>;
  /** The device's limit on one storage binding. */
  maxBindingBytes: number;
}

let remote: RemoteGpu | null = null;
/** Set while a remote GPU is on its way (the desktop app's engine starts before the GPU window has loaded). */
let expected: { arrived: Promise<RemoteGpu>; arrive: (gpu: RemoteGpu) => void } | null = null;

/** Attaches (or detaches) a GPU across a message channel: in the desktop app, Chromium's in the hidden GPU window. */
export function attachRemoteGpu(gpu: RemoteGpu | null): void {
  remote = gpu;
  if (gpu) expected?.arrive(gpu);
  expected = null;
}

/** Says a remote GPU will be attached: until it is, {@link awaitRemoteGpu} waits for it. */
export function expectRemoteGpu(): void {
  let arrive: (gpu: RemoteGpu) => void = () => undefined;
  const arrived = new Promise<RemoteGpu>((resolve) => { arrive = resolve; });
  expected = { arrived, arrive };
}

/** The attached remote GPU; one that is expected, once it arrives (at most `timeoutMs`); else null. */
export async function awaitRemoteGpu(timeoutMs: number): Promise<RemoteGpu | null> {
  if (remote || !expected) return remote;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
  try {
    return await Promise.race([expected.arrived, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function remoteGpu(): RemoteGpu | null {
  return remote;
}

/**
 * Where compiled networks run, or null when they do not: tfjs's WebGPU device in this process (CLI, web mode),
 * or the attached remote GPU while the active backend is `webgpu` through it (desktop app).
 */
export function stepMaker(): StepMaker | null {
  const device = webgpuDevice();
  if (device) return { create: async (spec) => new CompiledNetworkStep(contextFor(device), spec), maxBindingBytes: device.limits.maxStorageBufferBindingSize };
  const gpu = remote;
  const described = gpu?.described;
  if (gpu && described && activeBackend()?.name === 'webgpu') return { create: (spec) => gpu.createStep(spec), maxBindingBytes: described.maxStorageBufferBindingSize };
  return null;
}
