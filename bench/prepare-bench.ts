import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runPython } from './python';
import { pngPairs, speechImagePairs } from './speech-image-pairs';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin', 'modality-studio.js');

export interface PrepareTiming {
  /** `validate` of 1,500 1-s clips + 1,500 28×28 PNGs in a fresh process with a cold cache, start-up included. */
  clips1s: { samples: number; seconds: number; clipsPerSecond: number };
  /** The same with 150 10-s clips: a clip ten times as long should cost about ten times as much. */
  clips10s: { samples: number; seconds: number; clipsPerSecond: number };
  /** `validate` of 3,000 pairs of 32×32 PNGs. */
  pngPairs: { samples: number; seconds: number; pairsPerSecond: number };
  /** bench/reference/prepare.py over the 1-s clips alone: read, STFT, mel, log, in numpy on one core. */
  numpy: { clips: number; seconds: number; clipsPerSecond: number };
  /** `validate` of 1,000 1-s 44.1 kHz stereo clips + PNGs (mixed to mono and resampled to 16 kHz), and numpy + scipy on the clips alone. */
  resampled: {
    samples: number;
    seconds: number;
    clipsPerSecond: number;
    numpySeconds: number;
    numpyClipsPerSecond: number;
  };
}

/** The CLI's `validate` of `dir` with an empty cache, timed from the process's start to its end. */
function timeValidate(dir: string, work: string): number {
  const cacheDir = path.join(work, `prepare-cache-${path.basename(dir)}`);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'validate', dir, '--cache-dir', cacheDir], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(cacheDir, { recursive: true, force: true });
  if (result.status !== 0)
    throw new Error(`validate ${dir} failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  return seconds;
}

/** Preparation speed: the datasets are written once into `work`, then each is validated cold. */
export async function timePreparation(work: string, log: (line: string) => void): Promise<PrepareTiming> {
  log('preparation: writing the datasets (first time only)…');
  const oneSecond = await speechImagePairs(work, 1500, 1);
  const tenSeconds = await speechImagePairs(work, 150, 10);
  const pairs = await pngPairs(work, 3000);
  const recorded = await speechImagePairs(work, 1000, 1, { rate: 44_100, channels: 2 });
  log('preparation: validate with a cold cache, ours, then numpy on the same clips…');
  const clips1s = timeValidate(oneSecond, work);
  const clips10s = timeValidate(tenSeconds, work);
  const png = timeValidate(pairs, work);
  const numpy = runPython<{ clips: number; seconds: number }>(path.join(ROOT, 'bench', 'reference', 'prepare.py'), [
    path.join(oneSecond, 'audio'),
  ]);
  log('preparation: 44.1 kHz stereo clips, ours then numpy + scipy (resample_poly with the same filter)…');
  const resampledSeconds = timeValidate(recorded, work);
  const scipy = runPython<{ clips: number; seconds: number }>(path.join(ROOT, 'bench', 'reference', 'prepare.py'), [
    path.join(recorded, 'audio'),
    'resample',
  ]);
  return {
    resampled: {
      samples: 1000,
      seconds: resampledSeconds,
      clipsPerSecond: 1000 / resampledSeconds,
      numpySeconds: scipy.seconds,
      numpyClipsPerSecond: scipy.clips / scipy.seconds,
    },
    clips1s: { samples: 1500, seconds: clips1s, clipsPerSecond: 1500 / clips1s },
    clips10s: { samples: 150, seconds: clips10s, clipsPerSecond: 150 / clips10s },
    pngPairs: { samples: 3000, seconds: png, pairsPerSecond: 3000 / png },
    numpy: { ...numpy, clipsPerSecond: numpy.clips / numpy.seconds },
  };
}
