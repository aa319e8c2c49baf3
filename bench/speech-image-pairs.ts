import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../engine/data/formats/image';
import { encodeWavChannels16 } from '../engine/data/formats/wav';

const CLASSES = 10;

/** A seeded linear congruential generator in [0, 1): the same files on every machine. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Writes a dataset folder once: into a staging folder, renamed at the end (a crash leaves nothing half-written). */
async function writeOnce(
  dir: string,
  modalities: string[],
  write: (staging: string, lines: string[]) => Promise<void>,
): Promise<string> {
  if (fs.existsSync(path.join(dir, 'manifest.csv'))) return dir;
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const m of modalities) fs.mkdirSync(path.join(staging, m), { recursive: true });
  const lines = [`id,label,${modalities.join(',')}`];
  await write(staging, lines);
  fs.writeFileSync(path.join(staging, 'manifest.csv'), `${lines.join('\n')}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
  return dir;
}

/**
 * `count` samples of a 28×28 grey PNG (the image modality) and a 16-bit WAV clip of `clipSeconds` (the audio
 * modality; 16 kHz mono unless `recording` says another rate and channel count), written once into `work`: the shape of the image + speech dataset that issue
 * 16 timed (1-s clips). Each class has its own tone and its own bright row, over seeded noise.
 */
export function speechImagePairs(
  work: string,
  count: number,
  clipSeconds = 1,
  recording: { rate: number; channels: number } = { rate: 16_000, channels: 1 },
): Promise<string> {
  const random = seeded(777);
  const { rate, channels } = recording;
  const name = `speech-image-${count}-${clipSeconds}s${rate === 16_000 && channels === 1 ? '' : `-${rate}hz-${channels}ch`}`;
  return writeOnce(path.join(work, name), ['image', 'audio'], async (staging, lines) => {
    for (let i = 0; i < count; i += 1) {
      const label = i % CLASSES;
      const pixels = Float32Array.from({ length: 28 * 28 }, (_, p) =>
        Math.min(1, random() * 0.6 + (Math.floor(p / 28) === 2 * label + 3 ? 0.4 : 0)),
      );
      fs.writeFileSync(path.join(staging, 'image', `${i}.png`), await encodePng(pixels, 28, 28, 1));
      const hz = 200 + 80 * label;
      const clip = () =>
        Float32Array.from(
          { length: Math.round(clipSeconds * rate) },
          (_, t) => 0.4 * Math.sin((2 * Math.PI * hz * t) / rate) + 0.2 * (random() - 0.5),
        );
      fs.writeFileSync(
        path.join(staging, 'audio', `${i}.wav`),
        encodeWavChannels16(Array.from({ length: channels }, clip), rate),
      );
      lines.push(`s${i},c${label},image/${i}.png,audio/${i}.wav`);
    }
  });
}

/** `count` pairs of 32×32 grey PNGs (modalities `a` and `b`), each class a bright bar at its own place. */
export function pngPairs(work: string, count: number): Promise<string> {
  const random = seeded(4242);
  return writeOnce(path.join(work, `png-pairs-${count}`), ['a', 'b'], async (staging, lines) => {
    for (let i = 0; i < count; i += 1) {
      const label = i % CLASSES;
      for (const [m, horizontal] of [
        ['a', true],
        ['b', false],
      ] as const) {
        const pixels = Float32Array.from({ length: 32 * 32 }, (_, p) =>
          Math.min(1, random() * 0.6 + ((horizontal ? Math.floor(p / 32) : p % 32) === 3 * label + 1 ? 0.4 : 0)),
        );
        fs.writeFileSync(path.join(staging, m, `${i}.png`), await encodePng(pixels, 32, 32, 1));
      }
      lines.push(`s${i},c${label},a/${i}.png,b/${i}.png`);
    }
  });
}
