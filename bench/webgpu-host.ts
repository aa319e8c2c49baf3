/**
 * `npm run bench:webgpu`: host time of the compiled WebGPU training step (engine/train/webgpu/mlp-step.ts)
 * on the bench's MLP shape (engine/train/step-shapes.ts: two modalities 256 → 512 → 256, 10 classes),
 * batch 64 and 256: the JavaScript time to write the batch, encode every dispatch and submit, without
 * waiting for the GPU, and the wall time per step including the GPU's work (on a software adapter such as
 * lavapipe that is the CPU's compute, not a GPU's). Needs a WebGPU adapter (the `webgpu` package and a driver).
 */
import { nodeGpu } from '../engine/train/backends/webgpu/dawn';
import { SHAPES } from '../engine/train/step-shapes';
import { GpuContext } from '../engine/train/webgpu/gpu-context';
import { CompiledMlpStep } from '../engine/train/webgpu/mlp-step';

const json = process.argv.includes('--json');
const { adapter, info } = await nodeGpu();
const device = await adapter.requestDevice();
const ctx = new GpuContext(device);
const shape = SHAPES.find((s) => s.name === 'mlp')!;
const rows: { batch: number; dispatches: number; hostMs: number; wallMs: number }[] = [];
for (const batch of [64, 256]) {
  const spec = { batch, classes: 10, encoders: shape.modalities.map((m) => ({ inputDim: m.shape[0]!, hidden: shape.config.mlpHidden })) };
  const step = new CompiledMlpStep(ctx, spec);
  const inputs = spec.encoders.map((e) => Float32Array.from({ length: batch * e.inputDim }, (_, i) => Math.sin(i)));
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const run = async (count: number) => {
    let host = 0;
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const t = performance.now();
      step.step(inputs, labels, 1e-3);
      host += performance.now() - t;
    }
    await step.takeLoss();
    return { hostMs: host / count, wallMs: (performance.now() - started) / count };
  };
  await run(5);
  const measured = await run(40);
  rows.push({ batch, dispatches: step.dispatchCount, ...measured });
  step.dispose();
}
device.destroy();
if (json) process.stdout.write(`${JSON.stringify({ adapter: info, mlp: rows })}\n`);
else {
  process.stdout.write(`adapter: ${info.description} (${info.vendor}, ${info.architecture})\n| batch | dispatches per step | host ms per step | wall ms per step |\n|---|---|---|---|\n`);
  for (const r of rows) process.stdout.write(`| ${r.batch} | ${r.dispatches} | ${r.hostMs.toFixed(3)} | ${r.wallMs.toFixed(1)} |\n`);
}
