import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePng } from '../../engine/data/formats/image';
import { encodeNpy } from '../../engine/data/formats/npy';
import { encodeWav16 } from '../../engine/data/formats/wav';
import { expect } from 'vitest';
import { prepareDataset } from '../../engine/data/prepare';
import type { ValidationReport } from '../../engine/protocol/dataset';
import { SeededRandom } from '../../engine/util/random';

/** A fresh folder under the OS temp dir; tests remove it in afterEach/afterAll. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ms-${prefix}-`));
}

/** Writes `files` (relative path → contents) into `dir`, creating folders on the way. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [relative, contents] of Object.entries(files)) {
    const target = path.join(dir, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, contents);
  }
}

/** A PNG of the given size whose pixels are a seeded pattern. */
export function png(height: number, width: number, channels: 1 | 3, seed: number): Promise<Buffer> {
  const random = new SeededRandom(seed);
  return encodePng(
    Float32Array.from({ length: height * width * channels }, () => random.next()),
    height,
    width,
    channels,
  );
}

/** A 16-bit mono WAV holding a sine at `frequencyHz`. */
export function sineWav(seconds: number, sampleRate: number, frequencyHz: number): Uint8Array {
  const samples = Float32Array.from(
    { length: Math.round(seconds * sampleRate) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate),
  );
  return encodeWav16(samples, sampleRate);
}

export function npy(shape: number[], fill: (index: number) => number): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  return encodeNpy(
    Float32Array.from({ length: count }, (_, i) => fill(i)),
    shape,
  );
}

/** Every file below `dir` with its size, mtime and content hash: equal snapshots mean nothing was written. */
export function snapshot(dir: string): string {
  const entries: string[] = [];
  const walk = (current: string) => {
    for (const name of fs.readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = fs.lstatSync(full);
      const relative = path.relative(dir, full);
      if (stat.isDirectory()) {
        entries.push(`${relative}/ ${stat.mtimeMs}`);
        walk(full);
      } else {
        const hash = stat.isFile() ? hashFile(full) : 'link';
        entries.push(`${relative} ${stat.size} ${stat.mtimeMs} ${hash}`);
      }
    }
  };
  walk(dir);
  return entries.join('\n');
}

/** sha256 of a file read in 1 MB pieces, so that snapshotting a huge file costs no memory. */
function hashFile(file: string): string {
  const hash = crypto.createHash('sha256');
  const buffer = Buffer.alloc(1024 * 1024);
  const fd = fs.openSync(file, 'r');
  try {
    for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * A small valid vector dataset as manifest.csv text: `rows` samples alternating classes "cat" and "dog",
 * two vector modalities `left` (2 features) and `right` (3), splits train/val/test given explicitly.
 */
export function vectorManifest(rows = 12): string {
  const lines = ['id,label,split,left.a,left.b,right.x,right.y,right.z'];
  for (let i = 0; i < rows; i += 1) {
    const split = i < rows / 2 ? 'train' : i < (3 * rows) / 4 ? 'val' : 'test';
    const label = i % 2 === 0 ? 'cat' : 'dog';
    lines.push(`s${i},${label},${split},${i},${i * 0.5},${-i},${i % 3},${(i * 7) % 5}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Temporary folders for one test file: `make(prefix)` creates one, `removeAll()` (in afterAll) deletes them. */
export function tempFolders(): { make(prefix: string): string; removeAll(): void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = makeTempDir(prefix);
      made.push(dir);
      return dir;
    },
    removeAll() {
      made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
    },
  };
}

/**
 * A manifest of 100 samples (80 train, 10 val, 10 test) with a constant feature `left.flat` (5 everywhere), a
 * near-constant one `left.rare` (1 on 2 of the 80 training rows, else 0), and ordinary `left.a` and `right.x`.
 */
export function constantFeaturesManifest(): string {
  const lines = ['id,label,split,left.a,left.flat,left.rare,right.x'];
  const split = (i: number) => (i < 80 ? 'train' : i < 90 ? 'val' : 'test');
  for (let i = 0; i < 100; i += 1)
    lines.push(`s${i},${i % 2 ? 'yes' : 'no'},${split(i)},${i},5,${i === 3 || i === 40 ? 1 : 0},${i % 7}`);
  return `${lines.join('\n')}\n`;
}

/** {@link vectorManifest} of 60 rows with 3 broken ones (s5: not a number, s20: empty cell, s41: NaN). */
export function manifestWithBrokenRows(): string {
  return vectorManifest(60)
    .replace(/^(s5,\w+,\w+),5,/m, '$1,five,')
    .replace(/^(s20,\w+,\w+,20),10,/m, '$1,,')
    .replace(/^(s41,\w+,\w+),41,/m, '$1,NaN,');
}

/**
 * A validator for one test file: `validate(files)` writes a dataset into a fresh folder, validates it
 * (decoding into `cacheDir`), checks that the folder was left exactly as it was, and returns the report.
 */
export function validatorInto(
  cacheDir: string,
  folders: string[],
): (files: Record<string, string | Uint8Array>) => Promise<ValidationReport> {
  return async (files) => {
    const dir = makeTempDir('ds');
    folders.push(dir);
    writeFiles(dir, files);
    const before = snapshot(dir);
    const { report, dataset } = await prepareDataset(dir, { cacheDir });
    dataset?.reader.close();
    expect(snapshot(dir)).toBe(before);
    return report;
  };
}
