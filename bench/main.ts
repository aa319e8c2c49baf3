/**
 * `npm run bench [-- --json] [-- --quick]`: the engine against PyTorch on this machine.
 *
 * 1. Step throughput of the MLP and CNN UMT steps (engine/train/step-shapes.ts) on every usable tfjs backend, and
 *    in PyTorch (bench/reference/steps.py), in this one invocation.
 * 2. The whole method on mnist-halves with a fixed epoch budget, ours (the CLI) against
 *    bench/reference/pipeline.py: wall time and test accuracies.
 * 3. Peak resident memory of a training run on 10k and on 100k generated 32×32 image pairs.
 * 4. Preparing data (`validate` with a cold cache, start-up included): 1-s and 10-s 16 kHz clips with PNGs,
 *    and 32×32 PNG pairs; numpy doing the audio part (read, STFT, mel, log) in bench/reference/prepare.py.
 * 5. WebGPU, when Dawn finds an adapter (bench/webgpu-steps.ts): the two steps as a run trains them (MLP at
 *    batch 64 and 256), their host time per step, PyTorch's same steps on CUDA when its `torch.cuda.is_available()`,
 *    and the whole method on mnist-halves with `--backend webgpu` against wasm (not on a software adapter,
 *    whose CPU-speed compute would take hours).
 * 6. The run history at scale (bench/run-list.ts): `runs:list` with 100,001 runs in the database, and
 *    `runs list --limit 20 --json` as a whole process.
 *
 * Prints a table (stderr shows progress); with --json, one JSON object as the last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { imagePairs, measureRun } from './memory-bench';
import { mnistHalvesWithSplit, PIPELINE_BUDGET, timeOurs, timePipeline } from './pipeline-bench';
import { timePreparation } from './prepare-bench';
import { timeRunList } from './run-list';
import { cudaPython, ensureTorch, PYTHON, runPython } from './python';
import type { WebgpuSteps } from './webgpu-steps';
import type { StepTiming } from '../engine/method/step-timing';

const ROOT = path.resolve(import.meta.dirname, '..');
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const WORK = process.env.MODALITY_STUDIO_BENCH_DIR ?? path.join(os.tmpdir(), 'modality-studio-bench');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

type BackendSteps = { mlp: StepTiming; cnn: StepTiming | null };

function stepsOn(backend: string, runs: number, steps: number): BackendSteps | null {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'steps-cli.ts'), backend, String(runs), String(steps)],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    const reason =
      result.stderr
        .split('\n')
        .find((line) => /^\w*Error: /.test(line))
        ?.replace(/^\w*Error: /, '') ?? `exit ${result.status}`;
    log(`${backend}: skipped (${reason})`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null') as BackendSteps;
}

const machine = {
  cores: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};
log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`);
ensureTorch(log);
const torchVersion = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
  encoding: 'utf8',
}).stdout.trim();

// 1. Steps.
const [runs, steps] = quick ? [3, 5] : [5, 10];
const backends: Record<string, BackendSteps> = {};
for (const backend of ['wasm', 'native', 'gpu', 'cpu']) {
  log(`steps on ${backend}…`);
  const timing = stepsOn(backend, runs, steps);
  if (timing) backends[backend] = timing;
}
log('steps in PyTorch…');
const torchSteps = runPython<{ mlp: number; cnn: number; threads: number }>(
  path.join(ROOT, 'bench', 'reference', 'steps.py'),
  [String(runs), String(steps)],
);
const main = backends.native ?? backends.wasm;
if (!main?.cnn) throw new Error('Neither the native nor the wasm backend could run the step benchmark.');
const step = (shape: 'mlp' | 'cnn') => {
  const ours = main[shape]?.msPerStep ?? NaN;
  return { ours: round(ours, 1), torch: round(torchSteps[shape], 1), ratio: round(ours / torchSteps[shape]) };
};

// 5 (steps part). WebGPU in a process of its own, and PyTorch on CUDA, in this same invocation.
log('steps on webgpu…');
const webgpuRun = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(ROOT, 'bench', 'webgpu-steps.ts'), '--json', ...(quick ? ['--quick'] : [])],
  { encoding: 'utf8' },
);
const webgpuSteps =
  webgpuRun.status === 0 ? (JSON.parse(webgpuRun.stdout.trim().split('\n').at(-1) ?? 'null') as WebgpuSteps) : null;
if (!webgpuSteps)
  log(
    `webgpu: skipped (${
      webgpuRun.stderr
        .split('\n')
        .find((line) => line.startsWith('Error: '))
        ?.slice(7) ?? `exit ${webgpuRun.status}`
    })`,
  );
const cuda = cudaPython();
log(
  cuda
    ? `steps in PyTorch on CUDA (${cuda})…`
    : 'PyTorch on CUDA: no interpreter here has a PyTorch that sees a CUDA GPU',
);
const torchCuda = cuda
  ? runPython<{ mlp: number; cnn: number; mlp256: number; gpu: string }>(
      path.join(ROOT, 'bench', 'reference', 'steps.py'),
      [String(runs), String(steps), 'cuda'],
      cuda,
    )
  : null;

// 2. Pipeline.
const budget = quick ? { epochs: 1, teacherEpochs: 1, probeEpochs: 5 } : PIPELINE_BUDGET;
log(
  `pipeline on mnist-halves (teachers ${budget.teacherEpochs}, fusion ${budget.epochs}, probes ${budget.probeEpochs} epochs), ours then PyTorch…`,
);
const mnistHalves = await mnistHalvesWithSplit(WORK);
const pipeline = timePipeline(mnistHalves, WORK, budget);
// 5 (pipeline part): not on a software adapter (CNN training at the CPU's speed through an emulated GPU).
let webgpuPipeline: { ms: number; wasmMs: number; test: number; wasmTest: number } | null = null;
if (webgpuSteps && !webgpuSteps.adapter.software) {
  log('pipeline on mnist-halves with --backend webgpu…');
  const onGpu = timeOurs(mnistHalves, WORK, budget, 'webgpu');
  webgpuPipeline = {
    ms: round(onGpu.seconds * 1000, 0),
    wasmMs: round(pipeline.ours * 1000, 0),
    test: round(onGpu.result.test.final, 4),
    wasmTest: round(pipeline.oursAccuracy, 4),
  };
}

// 3. Memory.
const sizes = quick ? [2_000, 20_000] : [10_000, 100_000];
const memoryRuns = sizes.map((count) => {
  log(`memory: a training run on ${count.toLocaleString('en')} generated image pairs…`);
  return measureRun(imagePairs(WORK, count), WORK);
});
const [small, large] = memoryRuns as [(typeof memoryRuns)[0], (typeof memoryRuns)[0]];

// 4. Preparation.
const preparation = await timePreparation(WORK, log);

// 6. The run history at scale.
log('run list: a database of 100,001 runs (written once), first page, search, sort, and runs list as a process…');
const runList = timeRunList(WORK);

const summary = {
  machine: {
    ...machine,
    backend: backends.native ? 'native' : 'wasm',
    threads: main.mlp.threads,
    torch: torchVersion,
    torchThreads: torchSteps.threads,
  },
  mlp: step('mlp'),
  cnn: step('cnn'),
  pipeline: {
    ours: round(pipeline.ours, 1),
    torch: round(pipeline.torch, 1),
    ratio: round(pipeline.ours / pipeline.torch),
    oursAccuracy: round(pipeline.oursAccuracy, 4),
    torchAccuracy: round(pipeline.torchAccuracy, 4),
  },
  memory: {
    small: round(small.peakRssMb, 0),
    large: round(large.peakRssMb, 0),
    ratio: round(large.peakRssMb / small.peakRssMb),
  },
  preparation: {
    clips1sSeconds: round(preparation.clips1s.seconds),
    numpySeconds: round(preparation.numpy.seconds),
    ratio: round(preparation.clips1s.seconds / preparation.numpy.seconds),
    clipsPerSecond: round(preparation.clips1s.clipsPerSecond, 0),
    numpyClipsPerSecond: round(preparation.numpy.clipsPerSecond, 0),
    clips10sSeconds: round(preparation.clips10s.seconds),
    tenSecondClipCost: round(preparation.clips10s.seconds / 150 / (preparation.clips1s.seconds / 1500), 1),
    pngPairsPerSecond: round(preparation.pngPairs.pairsPerSecond, 0),
    resampled44kStereo: {
      clipsPerSecond: round(preparation.resampled.clipsPerSecond, 0),
      numpyScipyClipsPerSecond: round(preparation.resampled.numpyClipsPerSecond, 0),
      ratio: round(preparation.resampled.seconds / preparation.resampled.numpySeconds),
    },
  },
  runList: {
    firstPageMs: round(runList.firstPageMs, 0),
    searchMs: round(runList.searchMs, 0),
    sortBySettingMs: round(runList.sortBySettingMs, 0),
    cliMs: round(runList.cliMs, 0),
  },
  webgpu: webgpuSteps ? webgpuSummary(webgpuSteps) : null,
  details: {
    backends: Object.fromEntries(
      Object.entries(backends).map(([name, t]) => [
        name,
        { threads: t.mlp.threads, mlpMs: round(t.mlp.msPerStep, 1), cnnMs: t.cnn ? round(t.cnn.msPerStep, 1) : null },
      ]),
    ),
    pipelineBudget: budget,
    pipelineMethods: { ours: pipeline.oursMethod, torch: pipeline.torchMethod },
    pipelineTest: { ours: pipeline.oursTest, torch: pipeline.torchTest },
    memorySamples: { small: small.samples, large: large.samples },
    memorySeconds: { small: round(small.seconds, 1), large: round(large.seconds, 1) },
  },
};

/** The `webgpu` key of --json: ms and host ms per step, PyTorch CUDA's ms where it ran, the pipeline. */
function webgpuSummary(w: WebgpuSteps) {
  const at = (batch: number) => w.mlp.find((m) => m.batch === batch)?.timing;
  const row = (
    t: { msPerStep: number; hostMsPerStep: number; compiled?: boolean } | undefined,
    torchMs: number | undefined,
  ) =>
    t
      ? {
          ms: round(t.msPerStep, 2),
          hostMs: round(t.hostMsPerStep, 3),
          compiled: t.compiled === true,
          torchCudaMs: torchMs === undefined ? null : round(torchMs, 2),
        }
      : null;
  return {
    adapter: `${w.adapter.description} (${w.adapter.vendor}, ${w.adapter.architecture})`,
    software: w.adapter.software === true,
    torchCudaGpu: torchCuda?.gpu ?? null,
    mlp: row(at(64), torchCuda?.mlp),
    mlp256: row(at(256), torchCuda?.mlp256),
    cnn: row(w.cnn, torchCuda?.cnn),
    pipeline: webgpuPipeline,
  };
}

const webgpuLines = (w: ReturnType<typeof webgpuSummary> | null): string[] => {
  if (!w) return ['', 'WebGPU: no adapter here (see `modality-studio doctor`).'];
  const ms = (
    r: { ms: number; hostMs: number; compiled: boolean; torchCudaMs: number | null } | null,
    label: string,
  ) =>
    r
      ? `| ${label} | ${r.ms} ms (host ${r.hostMs} ms; ${r.compiled ? 'compiled step' : "tfjs's kernels"}) | ${r.torchCudaMs === null ? 'no CUDA' : `${r.torchCudaMs} ms`} | ${r.torchCudaMs === null ? '' : round(r.ms / r.torchCudaMs)} |`
      : `| ${label} | not measured | | |`;
  return [
    '',
    `WebGPU on ${w.adapter}${w.software ? " — a software adapter: its wall times are the CPU's, only the host times say anything about a GPU" : ''}; PyTorch on CUDA: ${w.torchCudaGpu ?? 'none here'}.`,
    '',
    '| step | ours on webgpu | PyTorch CUDA eager | ours / PyTorch |',
    '|---|---|---|---|',
    ms(w.mlp, 'MLP step, batch 64'),
    ms(w.mlp256, 'MLP step, batch 256'),
    ms(w.cnn, 'CNN step, batch 64'),
    w.pipeline
      ? `| whole method on mnist-halves | ${(w.pipeline.ms / 1000).toFixed(1)} s on webgpu vs ${(w.pipeline.wasmMs / 1000).toFixed(1)} s on wasm (${round(w.pipeline.wasmMs / w.pipeline.ms)}× faster) | | |`
      : '| whole method on mnist-halves | not run on a software adapter | | |',
  ];
};

const table = [
  `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; ours on ${summary.machine.backend} with ${summary.machine.threads} thread(s); PyTorch ${torchVersion} with ${torchSteps.threads} thread(s).`,
  '',
  '| measure | ours | PyTorch | ours / PyTorch |',
  '|---|---|---|---|',
  `| MLP step (2 × 256→512→256, batch 64) | ${summary.mlp.ours} ms | ${summary.mlp.torch} ms | ${summary.mlp.ratio} |`,
  `| CNN step (2 × 1×32×32 conv32-BN-ReLU-pool-conv64-BN-ReLU-GAP-dense128, batch 64) | ${summary.cnn.ours} ms | ${summary.cnn.torch} ms | ${summary.cnn.ratio} |`,
  `| whole method on mnist-halves (teachers ${budget.teacherEpochs}, fusion ${budget.epochs}, probes ${budget.probeEpochs} epochs) | ${summary.pipeline.ours} s, test ${(pipeline.oursAccuracy * 100).toFixed(1)}% (${pipeline.oursMethod}) | ${summary.pipeline.torch} s, test ${(pipeline.torchAccuracy * 100).toFixed(1)}% (${pipeline.torchMethod}) | ${summary.pipeline.ratio} |`,
  `| peak memory of a run, ${sizes[0]?.toLocaleString('en')} vs ${sizes[1]?.toLocaleString('en')} image pairs | ${summary.memory.small} MB → ${summary.memory.large} MB | | ${summary.memory.ratio} (large / small) |`,
  `| preparing 1,500 1-s 16 kHz clips + 1,500 28×28 PNGs (validate, cold cache, start-up included; numpy: the clips' read, STFT, mel, log on one core) | ${summary.preparation.clips1sSeconds} s (${summary.preparation.clipsPerSecond} clips/s) | ${summary.preparation.numpySeconds} s (${summary.preparation.numpyClipsPerSecond} clips/s) | ${summary.preparation.ratio} |`,
  `| preparing 150 10-s clips + 150 PNGs | ${summary.preparation.clips10sSeconds} s (a 10-s clip costs ${summary.preparation.tenSecondClipCost} × a 1-s clip, start-up included) | | |`,
  `| preparing 3,000 pairs of 32×32 PNGs | ${summary.preparation.pngPairsPerSecond} pairs/s | | |`,
  `| run list with 100,001 runs: runs:list first page of 50 / a search / sorted by a setting; runs list --limit 20 --json as a process | ${summary.runList.firstPageMs} / ${summary.runList.searchMs} / ${summary.runList.sortBySettingMs} ms; ${summary.runList.cliMs} ms | | |`,
  `| preparing 1,000 1-s 44.1 kHz stereo clips + PNGs (mixed to mono, resampled to 16 kHz; numpy + scipy: read, mix, resample_poly with the same filter, STFT, mel, log) | ${summary.preparation.resampled44kStereo.clipsPerSecond} clips/s | ${summary.preparation.resampled44kStereo.numpyScipyClipsPerSecond} clips/s | ${summary.preparation.resampled44kStereo.ratio} |`,
  '',
  `Other backends (ms per step, MLP / CNN): ${Object.entries(summary.details.backends)
    .map(([name, t]) => `${name} ${t.mlpMs} / ${t.cnnMs ?? 'not measured'}`)
    .join('; ')}.`,
  ...webgpuLines(summary.webgpu),
].join('\n');
process.stdout.write(`${table}\n`);
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
