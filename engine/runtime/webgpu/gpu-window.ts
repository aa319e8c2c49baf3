/**
 * The page of the desktop app's hidden GPU window (built to dist/renderer/gpu-window.js): when the preload
 * hands it the engine's channel end, it takes Chromium's WebGPU adapter and serves the engine's compiled
 * networks on it (step-server.ts), or says why it cannot.
 */
import type { MessageEnd, StepReply, StepRequest } from './step-messages';
import { serveNetworkSteps } from './step-server';

/** The preload's cue (electron/preload/gpu-preload.ts says the same). */
export const GPU_PORT_MESSAGE = 'modality-studio:gpu-port';

/** Serves compiled networks on this page's WebGPU to whoever holds the other end of `port`. */
export async function serveOnPage(port: MessagePort): Promise<void> {
  const end: MessageEnd<StepRequest, StepReply> = {
    post: (message) => port.postMessage(message),
    listen: (handler) => {
      port.onmessage = (event: MessageEvent<StepRequest>) => handler(event.data);
    },
  };
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    port.postMessage({
      kind: 'unavailable',
      reason: navigator.gpu
        ? 'Chromium found no WebGPU adapter (GPU blocklisted, or no Vulkan/Metal/D3D12 driver)'
        : 'this Chromium has no WebGPU (navigator.gpu)',
    } satisfies StepReply);
    return;
  }
  // The adapter's own limit on one storage binding, not the default 128 MiB: a split larger than that stays on the host.
  const maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const { vendor, architecture, description } = adapter.info;
  const software =
    (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || architecture === 'swiftshader';
  serveNetworkSteps(
    device,
    { vendor, architecture, description, ...(software ? { software } : {}), maxStorageBufferBindingSize },
    end,
  );
}

if (typeof window !== 'undefined') {
  window.addEventListener('message', (event: MessageEvent) => {
    const port = event.ports[0];
    if (event.source !== window || event.data !== GPU_PORT_MESSAGE || !port) return;
    void serveOnPage(port);
  });
}
