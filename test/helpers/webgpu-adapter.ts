import { nodeGpu, type NodeGpu } from '../../engine/runtime/backends/webgpu/dawn';

/** Set in CI (.ci/run installs Mesa 25's lavapipe): the WebGPU tests must find an adapter there. */
export const WEBGPU_REQUIRED = Boolean(process.env.MODALITY_STUDIO_REQUIRE_WEBGPU);

/**
 * Dawn's GPU and adapter for a WebGPU test, or null where there is none (no Vulkan driver, or Debian 12's
 * Mesa 22) and the tests are skipped; where one is required, its absence fails the test file.
 */
export function webgpuForTests(): Promise<NodeGpu | null> {
  return nodeGpu().catch((error: Error) => {
    if (WEBGPU_REQUIRED) throw error;
    return null;
  });
}
