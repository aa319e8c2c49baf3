/**
 * The WebGPU rows of the benchmark (`npm run bench` runs this in a process of its own; `npm run bench:webgpu`
 * alone prints its table): the bench's UMT step shapes (engine/train/step-shapes.ts) on the webgpu backend as
 * a run trains them (both on the engine's compiled step, engine/runtime/webgpu), at batch 64 and (MLP) 256:
 * milliseconds per step, and the host's share of it, the JavaScript time to issue a step without waiting for
 * the GPU. On a software adapter (lavapipe) the wall time is the CPU's compute (a CNN step takes seconds
 * there: fewer steps). Exits 2 with a reason when there is no adapter.
 * `tsx bench/webgpu-steps.ts [--json] [--quick]`: with --json, one JSON object as the last line.
 */
import { nodeGpu } from '../engine/runtime/backends/webgpu/dawn';
import { SHAPES } from '../engine/train/step-shapes';
import { timeSteps, type StepTiming } from '../engine/method/step-timing';

export interface WebgpuSteps {
  adapter: { vendor: string; architecture: string; description: string; software?: boolean };
  mlp: { batch: number; timing: StepTiming }[];
  cnn: StepTiming;
}

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
let adapter;
try {
  adapter = (await nodeGpu()).info;
} catch (error) {
  process.stderr.write(`Error: ${(error as Error).message}\n`);
  process.exit(2);
}
// A software adapter computes at CPU speed (~1-3 s per MLP step at batch 256 on 2 cores): fewer steps there.
const [runs, steps, warmup] = adapter.software ? (quick ? [1, 3, 1] : [3, 5, 2]) : quick ? [3, 10, 5] : [5, 40, 5];
const shape = (name: 'mlp' | 'cnn') => SHAPES.find((s) => s.name === name)!;
const mlp = [];
for (const batch of [64, 256])
  mlp.push({ batch, timing: await timeSteps({ ...shape('mlp'), batch }, 'webgpu', runs, steps, warmup) });
const [cnnRuns, cnnSteps, cnnWarmup] = adapter.software ? (quick ? [1, 2, 1] : [3, 3, 1]) : [runs, steps, warmup];
const result: WebgpuSteps = {
  adapter,
  mlp,
  cnn: await timeSteps(shape('cnn'), 'webgpu', cnnRuns, cnnSteps, cnnWarmup),
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const row = (label: string, t: StepTiming) =>
    `| ${label} | ${t.compiled ? 'compiled step' : "tfjs's WebGPU kernels"} | ${t.hostMsPerStep.toFixed(3)} | ${t.msPerStep.toFixed(1)} |`;
  process.stdout.write(
    [
      `adapter: ${adapter.description} (${adapter.vendor}, ${adapter.architecture}${adapter.software && adapter.architecture !== 'software' ? ', software' : ''})`,
      '| step | runs on | host ms per step | ms per step |',
      '|---|---|---|---|',
      ...mlp.map((m) => row(`MLP, batch ${m.batch}`, m.timing)),
      row('CNN, batch 64', result.cnn),
      '',
    ].join('\n'),
  );
}
process.exit(0);
