import type { RemoteGpu } from './remote-step';

/*
 * The GPU across a message channel (the desktop app: Chromium's, in the hidden GPU window), once attached. Its
 * own module, below both the webgpu backend (which waits for it) and the step maker (which trains on it).
 */

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
  const arrived = new Promise<RemoteGpu>((resolve) => {
    arrive = resolve;
  });
  expected = { arrived, arrive };
}

/** The attached remote GPU; one that is expected, once it arrives (at most `timeoutMs`); else null. */
export async function awaitRemoteGpu(timeoutMs: number): Promise<RemoteGpu | null> {
  if (remote || !expected) return remote;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([expected.arrived, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function remoteGpu(): RemoteGpu | null {
  return remote;
}
