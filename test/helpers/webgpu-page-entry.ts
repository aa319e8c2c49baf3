// Bundled into a page for Chromium's WebGPU (test/webgpu-chromium.test.ts): the same step code as in Node.
import { runFixedProblem } from './webgpu-steps';

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
});
