import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, npy, png, sineWav, writeFiles } from '../../test/helpers/dataset-folder';
import { logMelSpectrogram, melFilterbank, PAPER_LOG_MEL, frameCount, fitClip } from './audio/log-mel';
import { decodeImage } from './formats/image';
import { decodeNpy, encodeNpy } from './formats/npy';
import wavefilePackage from 'wavefile';
import { decodeWavMono } from './formats/wav';
import { prepareDataset } from './prepare';

const { WaveFile } = wavefilePackage;
const cacheDir = makeTempDir('cache');
const folders: string[] = [cacheDir];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function folder(files: Record<string, string | Uint8Array>): string {
  const dir = makeTempDir('dec');
  folders.push(dir);
  writeFiles(dir, files);
  return dir;
}

const splitOf = (i: number, n: number) => (i < n / 2 ? 'train' : i < (3 * n) / 4 ? 'val' : 'test');

describe('decoders', () => {
  it('decodes PNG pixels to [0, 1] exactly, grey as one channel', async () => {
    const pixels = Float32Array.from({ length: 4 * 3 }, (_, i) => i / 11);
    const bytes = await sharp(Buffer.from(Uint8Array.from(pixels, (v) => Math.round(v * 255))), {
      raw: { width: 3, height: 4, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const decoded = await decodeImage(bytes, 4, 3, 1);
    expect(Array.from(decoded, (v) => Math.round(v * 255))).toEqual(Array.from(pixels, (v) => Math.round(v * 255)));
  });

  it('decodes JPEG to RGB HWC close to its source colour', async () => {
    const red = Buffer.alloc(16 * 16 * 3);
    for (let i = 0; i < red.length; i += 3) red[i] = 220;
    const jpeg = await sharp(red, { raw: { width: 16, height: 16, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const decoded = await decodeImage(jpeg, 16, 16, 3);
    expect(decoded.length).toBe(16 * 16 * 3);
    expect(decoded[0]).toBeCloseTo(220 / 255, 1);
    expect(decoded[1]).toBeLessThan(0.05);
  });

  it('resizes images of another size to the most common one and warns about it', async () => {
    const lines = ['id,label,split,v.a,img'];
    const files: Record<string, string | Uint8Array> = {};
    for (let i = 0; i < 8; i += 1) {
      lines.push(`s${i},${i % 2 ? 'b' : 'a'},${splitOf(i, 8)},${i},img/${i}.jpg`);
      files[`img/${i}.jpg`] = await sharp(await png(i === 3 ? 20 : 10, i === 3 ? 30 : 12, 3, i))
        .jpeg()
        .toBuffer();
    }
    files['manifest.csv'] = lines.join('\n');
    const { report } = await prepareDataset(folder(files), { cacheDir });
    expect(report.ok).toBe(true);
    expect(report.modalities[1]).toMatchObject({ kind: 'image', shape: [10, 12, 3], extensions: ['.jpg'] });
    expect(report.warnings[0]).toMatchObject({ code: 'resized', file: 'img/3.jpg' });
    expect(report.warnings[0]?.message).toContain('1 of 8 images are not 10x12 (e.g. img/3.jpg is 20x30)');
  });

  it('decodes .npy of every common dtype and Fortran order to row-major float32', () => {
    const values = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(decodeNpy(encodeNpy(values, [2, 3])).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const header = "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }";
    const padded = header + ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const data = new Int16Array([1, 4, 2, 5, 3, 6]); // column-major storage of [[1,2,3],[4,5,6]]
    const bytes = new Uint8Array(10 + padded.length + data.byteLength);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, padded.length, true);
    bytes.set(new TextEncoder().encode(padded), 10);
    bytes.set(new Uint8Array(data.buffer), 10 + padded.length);
    const decoded = decodeNpy(bytes);
    expect(decoded.shape).toEqual([2, 3]);
    expect(Array.from(decoded.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads 1-D .npy as vectors and 2-D .npy as one-channel images', async () => {
    const lines = ['id,label,split,vec,grid'];
    const files: Record<string, string | Uint8Array> = {};
    for (let i = 0; i < 8; i += 1) {
      lines.push(`s${i},${i % 2 ? 'b' : 'a'},${splitOf(i, 8)},v/${i}.npy,g/${i}.npy`);
      files[`v/${i}.npy`] = npy([5], (j) => i + j);
      files[`g/${i}.npy`] = npy([3, 4], (j) => j * 0.1);
    }
    files['manifest.csv'] = lines.join('\n');
    const { report, dataset } = await prepareDataset(folder(files), { cacheDir });
    expect(report.modalities.map((m) => [m.name, m.kind, m.shape])).toEqual([
      ['vec', 'vector', [5]],
      ['grid', 'image', [3, 4, 1]],
    ]);
    expect(Array.from(dataset!.reader.read(1, [2])).map((v) => Number(v.toFixed(5)))).toEqual(
      Array.from({ length: 12 }, (_, j) => Number((j * 0.1).toFixed(5))),
    );
    dataset!.reader.close();
  });

  it('decodes WAV to mono at 16 kHz: stereo is averaged and 8 kHz is resampled', () => {
    const wav = new WaveFile();
    wav.fromScratch(2, 8000, '16', [
      new Int16Array(800).fill(Math.round(0.8 * 32767)),
      new Int16Array(800).fill(Math.round(0.2 * 32767)),
    ]);
    const mono = decodeWavMono(wav.toBuffer(), 16_000);
    expect(mono.length).toBe(1600);
    expect(mono[800]).toBeCloseTo(0.5, 2);
  });

  it('turns a 1 kHz tone into a log-mel image whose loudest band holds 1 kHz', () => {
    const options = PAPER_LOG_MEL;
    const clip = Float32Array.from({ length: 16_000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16_000));
    const frames = frameCount(clip.length, options);
    expect(frames).toBe(1 + Math.floor((16_000 - 1024) / 512));
    const spectrogram = logMelSpectrogram(clip, options);
    expect(spectrogram.length).toBe(64 * frames);
    const bandEnergy = Array.from({ length: 64 }, (_, band) => spectrogram[band * frames + 5] ?? -Infinity);
    const loudest = bandEnergy.indexOf(Math.max(...bandEnergy));
    const filters = melFilterbank(options);
    const bin1k = Math.round((1000 * 1024) / 16_000);
    const strongestAt1k = filters
      .map((f) => f[bin1k] ?? 0)
      .reduce((best, w, i, all) => (w > (all[best] ?? 0) ? i : best), 0);
    expect(loudest).toBe(strongestAt1k);
  });

  it('crops long clips and tiles short ones to one length', () => {
    expect(Array.from(fitClip(Float32Array.from([1, 2, 3, 4, 5]), 3))).toEqual([1, 2, 3]);
    expect(Array.from(fitClip(Float32Array.from([1, 2]), 5))).toEqual([1, 2, 1, 2, 1]);
  });

  it("gives audio modalities the median clip length and the paper's spectrogram shape", async () => {
    const lines = ['id,label,split,v.a,sound'];
    const files: Record<string, string | Uint8Array> = {};
    const seconds = [0.5, 0.5, 0.5, 1.0, 0.5, 0.25, 0.5, 0.5];
    seconds.forEach((s, i) => {
      lines.push(`s${i},${i % 2 ? 'b' : 'a'},${splitOf(i, 8)},${i},w/${i}.wav`);
      files[`w/${i}.wav`] = sineWav(s, i === 2 ? 44_100 : 16_000, 300 + 100 * i);
    });
    files['manifest.csv'] = lines.join('\n');
    const { report, dataset } = await prepareDataset(folder(files), { cacheDir });
    expect(report.ok).toBe(true);
    expect(report.modalities[1]).toMatchObject({ kind: 'audio', shape: [64, frameCount(8000, PAPER_LOG_MEL), 1] });
    expect(report.warnings.find((w) => w.code === 'audio-length')?.message).toContain(
      '2 of 8 clips are not 0.50 s long',
    );
    // Audio is standardised with one scalar fitted on train: the training values have mean ~0.
    const train = dataset!.meta.splits.flatMap((s, i) => (s === 'train' ? [i] : []));
    const values = dataset!.reader.read(1, train);
    expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThan(1e-3);
    dataset!.reader.close();
  });
});
