import { afterEach, describe, expect, it } from 'vitest';
import { RemoteGpu } from './remote-step';
import { attachRemoteGpu, awaitRemoteGpu, expectRemoteGpu, remoteGpu } from './remote-gpu-slot';

const quietEnd = { post: () => undefined, listen: () => undefined };

describe("the desktop app's remote GPU, as the webgpu backend waits for it", () => {
  afterEach(() => attachRemoteGpu(null));

  it('is none at once where none is expected (the CLI, web mode)', async () => {
    const started = Date.now();
    expect(await awaitRemoteGpu(5_000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('arrives to whoever waits when the GPU window sends its channel end after the engine started', async () => {
    expectRemoteGpu();
    const gpu = new RemoteGpu(quietEnd);
    setTimeout(() => attachRemoteGpu(gpu), 30);
    expect(await awaitRemoteGpu(5_000)).toBe(gpu);
    expect(remoteGpu()).toBe(gpu);
  });

  it('is none after the wait when the window never sends it', async () => {
    expectRemoteGpu();
    expect(await awaitRemoteGpu(50)).toBeNull();
  });
});
