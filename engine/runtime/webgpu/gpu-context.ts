/**
 * The engine's own WebGPU layer, on any `GPUDevice` (Dawn's in Node, `navigator.gpu`'s in Chromium): buffers
 * it counts, pipelines compiled once per WGSL source, and one command encoder per training step. Written
 * against the standard WebGPU API only, so the same code runs in the CLI and in the desktop app's renderer.
 */
export class GpuContext {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly live = new Set<GPUBuffer>();

  /** Validation and out-of-memory errors the device reported: WebGPU only logs them, the work goes on wrong. */
  private readonly errors: string[] = [];

  constructor(readonly device: GPUDevice) {
    device.addEventListener('uncapturederror', (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Throws the errors the device reported since the last check: a step that went wrong must not pass for one that trained. */
  private throwReported(): void {
    if (this.errors.length === 0) return;
    const messages = this.errors.splice(0);
    throw new Error(
      `The GPU rejected the engine's compiled work (${messages.length} error${messages.length === 1 ? '' : 's'}): ${messages[0]?.split('\n')[0]}`,
    );
  }

  /** Buffers made here and not yet destroyed: tests assert a run leaves none. */
  get liveBuffers(): number {
    return this.live.size;
  }

  /** A storage buffer of `floats` 32-bit words (f32 or i32), zeroed; COPY_SRC/DST so it can be written and read. */
  storage(words: number, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(4, words * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.live.add(buffer);
    return buffer;
  }

  uniform(bytes: number, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({
      label,
      size: Math.ceil(bytes / 16) * 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.live.add(buffer);
    return buffer;
  }

  write(buffer: GPUBuffer, data: Float32Array | Int32Array | Uint32Array, offsetWords = 0): void {
    this.device.queue.writeBuffer(buffer, offsetWords * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copies `words` 32-bit words from the start of `buffer` back to the host (waits for queued work). */
  async read(buffer: GPUBuffer, words: number, offsetWords = 0): Promise<Float32Array> {
    const staging = this.device.createBuffer({
      size: words * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, offsetWords * 4, staging, 0, words * 4);
    this.device.queue.submit([encoder.finish()]);
    await this.mapped(staging);
    const copy = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return copy;
  }

  /** Maps a staging buffer for reading, once the queued work is done, and throws what the device reported about that work. */
  async mapped(staging: GPUBuffer): Promise<void> {
    await staging.mapAsync(GPUMapMode.READ);
    // Reported errors arrive as events: let the ones of the work just finished through first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.throwReported();
  }

  destroy(buffer: GPUBuffer): void {
    if (this.live.delete(buffer)) buffer.destroy();
  }

  /** The compute pipeline of a WGSL module (entry point `main`), compiled once per source. */
  pipeline(code: string, label: string): GPUComputePipeline {
    let pipeline = this.pipelines.get(code);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label,
        layout: 'auto',
        compute: { module: this.device.createShaderModule({ label, code }), entryPoint: 'main' },
      });
      this.pipelines.set(code, pipeline);
    }
    return pipeline;
  }

  /** A bind group of group 0 binding `i` to `buffers[i]`. */
  bind(pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }
}

const contexts = new WeakMap<GPUDevice, GpuContext>();

/** The one context of a device: its pipelines compile once for every phase of a run, and its buffer count covers them all. */
export function contextFor(device: GPUDevice): GpuContext {
  let ctx = contexts.get(device);
  if (!ctx) {
    ctx = new GpuContext(device);
    contexts.set(device, ctx);
  }
  return ctx;
}

/** One dispatch of a compiled step: a pipeline, its bind group (made once) and its workgroup counts. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number?, number?];
}

/** Encodes `dispatches` in one compute pass of `encoder`, in order (WebGPU orders storage writes between dispatches of a pass). */
export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: Dispatch[]): void {
  const pass = encoder.beginComputePass();
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.workgroups);
  }
  pass.end();
}
