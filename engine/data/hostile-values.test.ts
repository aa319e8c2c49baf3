import fs from 'node:fs';
import wavefilePackage from 'wavefile';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, npy, sineWav, validatorInto, vectorManifest } from '../../test/helpers/dataset-folder';
import type { ValidationReport } from '../protocol/dataset';

/**
 * Values and folders that used to pass validation and then ruin a run silently
 * (a feature beyond float32, a NaN clip, an empty validation split, thousands of classes), and smaller ones
 * that were accepted or misnamed (NFD labels, hidden class folders, blank modality names, unknown WAV
 * encodings, a huge PNG).
 */
const { WaveFile } = wavefilePackage;
const cacheDir = makeTempDir('hostile-values-cache');
const folders: string[] = [cacheDir];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const validate = validatorInto(cacheDir, folders);

const messages = (report: ValidationReport) => report.errors.map((e) => e.message).join('\n');

/** A manifest whose `audio` column names WAV files, with a vector modality beside it. */
function audioDataset(wav: (i: number) => Uint8Array, rows = 12): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {};
  const lines = ['id,label,split,audio,v.a'];
  for (let i = 0; i < rows; i += 1) {
    files[`clips/${i}.wav`] = wav(i);
    lines.push(
      `s${i},${i % 2 ? 'dog' : 'cat'},${i < rows / 2 ? 'train' : i < (3 * rows) / 4 ? 'val' : 'test'},clips/${i}.wav,${i}`,
    );
  }
  return { ...files, 'manifest.csv': `${lines.join('\n')}\n` };
}

/** A 16-bit WAV of 0.25 s at 16 kHz with its format tag and bits per sample rewritten. */
function wavWithFormat(formatTag: number, bits: number): Uint8Array {
  const bytes = Buffer.from(sineWav(0.25, 16_000, 440));
  bytes.writeUInt16LE(formatTag, 20);
  bytes.writeUInt16LE(bits, 34);
  return bytes;
}

/** The start of a PNG that says it is `width` × `height` grey pixels: all a decoder reads before it allocates them. */
function hugePngHeader(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const chunk = (type: string, data: Buffer) =>
    Buffer.concat([Buffer.from([0, 0, 0, data.length]), Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.alloc(16)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('every value a decoder stores is finite as a 32-bit float (case 5)', () => {
  it('refuses a CSV feature beyond float32 (3e39) with its column, line and the range', async () => {
    const report = await validate({ 'manifest.csv': vectorManifest(12).replace(/^(s3,\w+,\w+),3,/m, '$1,3e39,') });
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ code: 'non-finite', row: 5, sampleId: 's3', column: 'left.a' });
    expect(report.errors[0]?.message).toContain('column "left.a" is "3e39"; expected a number within ±3.4e38');
  });

  it('refuses a float64 .npy value beyond float32', async () => {
    const files: Record<string, string | Uint8Array> = {
      'manifest.csv': `${vectorManifest(12)
        .trim()
        .split('\n')
        .map((line, i) => (i === 0 ? `${line},arr` : `${line},a/${i - 1}.npy`))
        .join('\n')}\n`,
    };
    for (let i = 0; i < 12; i += 1) files[`a/${i}.npy`] = npy([4], (j) => j + i);
    const header = Buffer.from(files['a/4.npy'] as Uint8Array).toString('latin1');
    expect(header).toContain("'descr': '<f4'");
    // A float64 file with one value of 3e39: finite as a double, Infinity as a float32.
    const values = new Float64Array([1, 2, 3e39, 4]);
    const text = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }";
    const padded = text.padEnd(118, ' ') + '\n';
    files['a/4.npy'] = Buffer.concat([
      Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, padded.length, 0]),
      Buffer.from(padded, 'latin1'),
      Buffer.from(values.buffer),
    ]);
    const report = await validate(files);
    expect(report.ok).toBe(false);
    expect(messages(report)).toMatch(/a\/4\.npy cannot be used: value 2 is 3e\+39; expected a number within ±3\.4e38/);
  });

  it('refuses a float WAV of NaNs instead of training its modality at chance', async () => {
    const nan = () => {
      const wav = new WaveFile();
      wav.fromScratch(1, 16_000, '32f', new Float32Array(4000).fill(Number.NaN));
      return wav.toBuffer();
    };
    const report = await validate(audioDataset((i) => (i === 2 ? nan() : sineWav(0.25, 16_000, 440 + i))));
    expect(report.ok).toBe(false);
    expect(messages(report)).toMatch(/clips\/2\.wav cannot be used: audio sample 0 is NaN as a 32-bit float/);
  });
});

describe('a dataset is usable only with samples in every split and a bounded number of classes (case 7)', () => {
  it('refuses 20 classes of 2 samples each, whose automatic split leaves validation empty', async () => {
    const lines = ['id,label,a.x,b.y'];
    for (let i = 0; i < 40; i += 1) lines.push(`s${i},class-${i % 20},${i},${-i}`);
    const report = await validate({ 'manifest.csv': `${lines.join('\n')}\n` });
    expect(report.ok).toBe(false);
    expect(report.splits.val).toBe(0);
    expect(report.errors.find((e) => e.code === 'empty-split')?.message).toMatch(
      /automatic split .* leaves the validation split empty \(40 samples\).*every choice is made on/,
    );
  });

  it('refuses 5,000 classes at once, naming the limit', async () => {
    const lines = ['id,label,split,a.x,b.y'];
    for (let i = 0; i < 10_000; i += 1)
      lines.push(`s${i},c${i % 5000},${i < 5000 ? 'train' : i % 2 ? 'val' : 'test'},${i},${-i}`);
    const started = Date.now();
    const report = await validate({ 'manifest.csv': `${lines.join('\n')}\n` });
    expect(report.ok).toBe(false);
    expect(report.errors.find((e) => e.code === 'too-many-classes')?.message).toContain(
      'has 5000 classes; Modality Studio handles at most 1000',
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('smaller things that were accepted or misnamed (case 13)', () => {
  it('reads "café" in NFC and in NFD as one class', async () => {
    const manifest = vectorManifest(12).replace(/,cat,/g, (_, offset: number) =>
      offset % 2 ? ',caf\u00e9,' : ',cafe\u0301,',
    );
    const report = await validate({ 'manifest.csv': manifest });
    expect(report.ok, JSON.stringify(report.errors)).toBe(true);
    expect(report.classes).toEqual(['café'.normalize('NFC'), 'dog']);
  });

  it('says that a hidden class folder was skipped', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const split of ['train', 'val', 'test']) {
      for (const label of ['cat', 'dog', '.fox']) {
        for (let i = 0; i < 2; i += 1) {
          files[`${split}/${label}/${split}${label}${i}.a.npy`] = npy([3], (j) => i + j);
          files[`${split}/${label}/${split}${label}${i}.b.npy`] = npy([2], (j) => i - j);
        }
      }
    }
    const report = await validate(files);
    expect(report.warnings.map((w) => w.message)).toContain(
      'train/.fox is a hidden folder and was skipped, with every file in it; if it is a class, rename it without the leading dot.',
    );
  });

  it.each([
    ['empty', '""'],
    ['space-only', '"  "'],
  ])('refuses an %s modality name', async (_, name) => {
    const lines = ['{"id": "s0", "label": "cat", "modalities": {"a": [1, 2], NAME: [3]}}'.replace('NAME', name)];
    const report = await validate({ 'manifest.jsonl': `${lines.join('\n')}\n` });
    expect(report.ok).toBe(false);
    expect(messages(report)).toContain(`modality ${name} is empty or only spaces, which cannot name a modality`);
  });

  it.each([
    ['an unknown format tag', 0x1234, 16, 'its encoding (format tag 0x1234) is not one Modality Studio reads'],
    [
      'Microsoft ADPCM',
      0x0002,
      4,
      'its encoding (format tag 0x0002, Microsoft ADPCM) is not one Modality Studio reads',
    ],
    ['7-bit PCM', 1, 7, 'it is 7-bit PCM, which has 8, 16, 24, 32-bit samples only'],
  ])(
    'names %s in a WAV instead of decoding it as PCM or calling its fmt chunk missing',
    async (_, tag, bits, message) => {
      const report = await validate(
        audioDataset((i) => (i === 3 ? wavWithFormat(tag, bits) : sineWav(0.25, 16_000, 440 + i))),
      );
      expect(report.ok).toBe(false);
      expect(messages(report)).toContain(message);
      expect(messages(report)).not.toContain('fmt');
    },
  );

  it('decodes A-law WAVs to samples within [-1, 1]', async () => {
    const alaw = (i: number) => {
      const wav = new WaveFile(sineWav(0.25, 16_000, 440 + i));
      wav.toALaw();
      return wav.toBuffer();
    };
    const { decodeWavMono } = await import('./formats/wav');
    const samples = decodeWavMono(alaw(0), 16_000);
    expect(Math.max(...samples.map(Math.abs))).toBeGreaterThan(0.45);
    expect(Math.max(...samples.map(Math.abs))).toBeLessThan(0.55);
    expect((await validate(audioDataset(alaw))).ok).toBe(true);
  });

  it('calls a 30000×30000 PNG too large, not corrupt', async () => {
    const files: Record<string, string | Uint8Array> = {};
    const lines = ['id,label,split,img,v.a'];
    for (let i = 0; i < 12; i += 1) {
      files[`img/${i}.png`] =
        i === 5
          ? hugePngHeader(30_000, 30_000)
          : await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
              .png()
              .toBuffer();
      lines.push(`s${i},${i % 2 ? 'a' : 'b'},${i < 6 ? 'train' : i < 9 ? 'val' : 'test'},img/${i}.png,${i}`);
    }
    const report = await validate({ ...files, 'manifest.csv': `${lines.join('\n')}\n` });
    expect(report.ok).toBe(false);
    expect(messages(report)).toContain(
      'img/5.png cannot be used: it is 30000×30000 pixels (900 megapixels), too large',
    );
    expect(messages(report)).not.toContain('corrupt');
  }, 60_000);
});
