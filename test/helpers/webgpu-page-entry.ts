// Bundled into a page for Chromium's WebGPU (test/webgpu-chromium.test.ts): the same step code as in Node,
// and the desktop app's GPU window page (its listener installed by the import) driven across a channel.
import { RemoteGpu } from '../../engine/runtime/webgpu/remote-step';
import { GPU_PORT_MESSAGE } from '../../engine/runtime/webgpu/gpu-window';
import type { StepReply, StepRequest } from '../../engine/runtime/webgpu/step-messages';
import { runFixedProblem, trainFixedProblem } from './webgpu-steps';

Object.assign(window, {
  runFixedProblem: async (seed: number) => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu gave no adapter');
    const device = await adapter.requestDevice();
    try {
      return { ...(await runFixedProblem(device, seed)), adapter: adapter.info.description || adapter.info.vendor };
    } finally {
      device.destroy();
    }
  },
  /** As the engine would through the GPU window: the page gets a channel end the way the preload gives it one. */
  runFixedProblemThroughGpuWindow: async (seed: number) => {
    const channel = new MessageChannel();
    window.postMessage(GPU_PORT_MESSAGE, window.location.origin, [channel.port2]);
    const remote = new RemoteGpu({
      post: (message: StepRequest) => channel.port1.postMessage(message),
      listen: (handler: (message: StepReply) => void) => {
        channel.port1.onmessage = (event: MessageEvent<StepReply>) => handler(event.data);
      },
    });
    const adapter = await remote.adapter;
    return {
      ...(await trainFixedProblem((spec) => remote.createStep(spec), seed)),
      adapter: adapter.description || adapter.vendor,
    };
  },
});
