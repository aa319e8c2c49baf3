import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SIZE = 32;
const CLASSES = 10;

/**
 * `count` pairs of 32×32 grey images as uint8 .npy files, written once: each class a bright bar at its own
 * place (modality a: a row, b: a column) over noise, so there is something to learn.
 */
export function imagePairs(work: string, count: number): string {
  const dir = path.join(work, `image-pairs-${count}`);
  if (fs.existsSync(path.join(dir, 'manifest.csv'))) return dir;
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const m of ['a', 'b']) fs.mkdirSync(path.join(staging, m), { recursive: true });
  const header = npyHeader([SIZE, SIZE]);
  const lines = ['id,label,a,b'];
  let seed = 12345;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let i = 0; i < count; i += 1) {
    const label = i % CLASSES;
    for (const [m, horizontal] of [
      ['a', true],
      ['b', false],
    ] as const) {
      const pixels = new Uint8Array(SIZE * SIZE);
      for (let p = 0; p < pixels.length; p += 1) {
        const row = Math.floor(p / SIZE);
        const column = p % SIZE;
        const onBar = (horizontal ? row : column) === 3 * label + 1;
        pixels[p] = Math.min(255, Math.floor(random() * 160) + (onBar ? 90 : 0));
      }
      fs.writeFileSync(path.join(staging, m, `${i}.npy`), Buffer.concat([header, pixels]));
    }
    lines.push(`s${i},c${label},a/${i}.npy,b/${i}.npy`);
  }
  fs.writeFileSync(path.join(staging, 'manifest.csv'), `${lines.join('\n')}\n`);
  fs.renameSync(staging, dir);
  return dir;
}

function npyHeader(shape: number[]): Buffer {
  let text = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  while ((10 + text.length + 1) % 64 !== 0) text += ' ';
  const header = Buffer.alloc(10);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(text.length + 1, 8);
  return Buffer.concat([header, Buffer.from(`${text}\n`, 'latin1')]);
}

export interface MemoryRun {
  peakRssMb: number;
  seconds: number;
  samples: number;
}

/** A training run on `dir` in its own process (cold cache), and its peak resident memory. */
export function measureRun(dir: string, work: string): MemoryRun {
  const cacheDir = path.join(work, `memory-cache-${path.basename(dir)}`);
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'memory-run.ts'), dir, cacheDir],
    { encoding: 'utf8', maxBuffer: 16 << 20 },
  );
  fs.rmSync(cacheDir, { recursive: true, force: true });
  if (result.status !== 0)
    throw new Error(`The memory run on ${dir} failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as MemoryRun;
}
