/**
 * One training run on a generated dataset, in a process of its own, reporting that process's peak resident
 * memory: `tsx bench/memory-run.ts DIR CACHE_DIR` prints `{"peakRssMb": …, "seconds": …, "samples": …}`.
 */
import { prepareDatasetInWorker } from '../engine/data/prepare-in-worker';
import { runPipeline } from '../engine/method/pipeline';

const [dir = '', cacheDir = ''] = process.argv.slice(2);
const started = performance.now();
const { report, dataset } = await prepareDatasetInWorker(dir, { cacheDir });
if (process.env.MODALITY_STUDIO_BENCH_VERBOSE)
  process.stderr.write(`prepared in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
if (!dataset) throw new Error(`The generated dataset is not valid: ${report.errors[0]?.message}`);
// Every phase runs, each for one epoch, on a small encoder: what is measured is what grows with the data.
const phaseStart = new Map<string, number>();
const { models } = await runPipeline(
  dataset,
  {
    backend: 'wasm',
    method: 'umt',
    epochs: 1,
    teacherEpochs: 1,
    probeEpochs: 1,
    batchSize: 256,
    cnnChannels: [4, 8],
    cnnFeatureDim: 16,
    bootstrapSamples: 100,
  },
  {
    emit: (event) => {
      const key = `${event.type === 'phase-started' || event.type === 'phase-finished' ? [event.phase, event.modality, event.model].filter(Boolean).join(':') : ''}`;
      if (event.type === 'phase-started') phaseStart.set(key, performance.now());
      if (event.type === 'phase-finished' && process.env.MODALITY_STUDIO_BENCH_VERBOSE)
        process.stderr.write(`${key} ${((performance.now() - (phaseStart.get(key) ?? 0)) / 1000).toFixed(1)} s\n`);
    },
  },
);
models.dispose();
dataset.reader.close();
process.stdout.write(
  `${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - started) / 1000, samples: report.samples })}\n`,
);
