/**
 * The GPU of a Node process: Dawn's Node binding (the npm package `webgpu`, an optional dependency with
 * prebuilt binaries for Linux, macOS and Windows in its tarball). Loaded on first use, never at import, so a
 * machine without it (or without a Vulkan, Metal or D3D12 driver) runs every other backend unchanged.
 */

/** What an adapter says about itself; recorded with every run that trains on it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (lavapipe, SwiftShader): the CPU doing a GPU's work. */
  software?: boolean;
}

export interface NodeGpu {
  gpu: GPU;
  adapter: GPUAdapter;
  info: AdapterInfo;
}

let cached: Promise<NodeGpu> | null = null;

/**
 * Dawn's `navigator.gpu` and its default adapter. Throws a short reason when the package or an adapter is
 * missing. The same instance serves the whole process: Dawn's instance lives as long as a reference to it.
 */
export function nodeGpu(): Promise<NodeGpu> {
  cached ??= load().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

async function load(): Promise<NodeGpu> {
  let binding: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    binding = (await import('webgpu')) as unknown as typeof binding;
  } catch (error) {
    throw new Error(
      `the webgpu package (Dawn) is not installed or does not load here (${(error as Error).message.split('\n')[0]})`,
    );
  }
  // Dawn's classes (GPUBufferUsage, …) as globals, as in a browser; Wayland's client library wants a runtime folder.
  for (const [name, value] of Object.entries(binding.globals))
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const gpu = binding.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new Error(
      "Dawn found no WebGPU adapter (no Vulkan, Metal or D3D12 driver; on Linux without a GPU, Mesa 25's lavapipe gives a software one)",
    );
  const { vendor, architecture, description } = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info in the spec; Dawn has it on the info.
  const software =
    (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || architecture === 'software';
  return { gpu, adapter, info: { vendor, architecture, description, ...(software ? { software } : {}) } };
}
