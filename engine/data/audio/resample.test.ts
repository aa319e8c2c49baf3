import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWavMono, encodeWav16, encodeWavChannels16 } from '../formats/wav';
import { polyphaseFilter, resample, resampledLength, resampleRatio } from './resample';

interface Fixture {
  rate: number;
  target: number;
  taps: number;
  signals: Record<'sweep' | 'noise', { input: string; output: string }>;
}

const fixture = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'resample-fixture.json'), 'utf8')) as Fixture;
const floats = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
};

/** 10·log10(signal energy / error energy) over `[from, to)`. */
function snr(reference: ArrayLike<number>, actual: ArrayLike<number>, from = 0, to = reference.length): number {
  let signal = 0;
  let error = 0;
  for (let i = from; i < to; i += 1) {
    signal += reference[i]! ** 2;
    error += (reference[i]! - actual[i]!) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

const rms = (x: ArrayLike<number>, from = 0, to = x.length) => {
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += x[i]! ** 2;
  return Math.sqrt(sum / (to - from));
};

const tone = (frequency: number, rate: number, seconds: number, amplitude = 0.5) =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate),
  );

/** |H(f)| of the filter at `frequency` Hz of the output, relative to its DC gain (in dB). */
function responseDb(rate: number, target: number, frequency: number): number {
  const { up, down } = resampleRatio(rate, target)!;
  const { taps } = polyphaseFilter(up, down);
  const omega = (2 * Math.PI * frequency) / (rate * up);
  let re = 0;
  let im = 0;
  let dc = 0;
  for (let j = 0; j < taps.length; j += 1) {
    re += taps[j]! * Math.cos(omega * j);
    im -= taps[j]! * Math.sin(omega * j);
    dc += taps[j]!;
  }
  return 20 * Math.log10(Math.hypot(re, im) / dc);
}

describe('the polyphase resampler', () => {
  it("matches scipy's resample_poly with the same filter on a sine sweep and on white noise (44.1 kHz → 16 kHz), ≥ 60 dB SNR", () => {
    expect(polyphaseFilter(160, 441).taps.length).toBe(fixture.taps);
    for (const name of ['sweep', 'noise'] as const) {
      const input = floats(fixture.signals[name].input);
      const expected = floats(fixture.signals[name].output);
      const ours = resample(input, fixture.rate, fixture.target)!;
      expect(ours.length).toBe(expected.length);
      expect(snr(expected, ours)).toBeGreaterThan(60);
    }
  });

  it('attenuates everything above the new Nyquist by ≥ 60 dB (no aliasing into the spectrogram), and passes 0–7.2 kHz flat', () => {
    for (const rate of [22_050, 32_000, 44_100, 48_000, 96_000]) {
      for (const hz of [8_000, 8_500, 10_000, 0.45 * rate])
        expect(responseDb(rate, 16_000, hz), `${rate} Hz input, ${hz} Hz`).toBeLessThan(-60);
      for (const hz of [100, 1_000, 4_000, 7_000, 7_200])
        expect(Math.abs(responseDb(rate, 16_000, hz)), `${rate} Hz input, ${hz} Hz`).toBeLessThan(0.01);
    }
    // A 10 kHz tone in a 44.1 kHz clip (above 16 kHz's Nyquist) is gone from the output.
    const aliased = resample(tone(10_000, 44_100, 0.5), 44_100, 16_000)!;
    expect(20 * Math.log10(rms(aliased, 400, aliased.length - 400) / rms(tone(10_000, 44_100, 0.5)))).toBeLessThan(-60);
  });

  it('keeps a pass-band tone as the same tone at the new rate, from 8 to 96 kHz, ≥ 60 dB SNR away from the ends', () => {
    for (const rate of [8_000, 11_025, 22_050, 44_100, 48_000, 88_200, 96_000]) {
      const hz = Math.min(3_000, 0.35 * rate);
      const out = resample(tone(hz, rate, 0.5), rate, 16_000)!;
      expect(out.length).toBe(
        resampledLength(Math.round(rate * 0.5), ...(Object.values(resampleRatio(rate, 16_000)!) as [number, number])),
      );
      const ideal = tone(hz, 16_000, out.length / 16_000);
      expect(snr(ideal, out, 800, out.length - 800), `${rate} Hz`).toBeGreaterThan(60);
    }
  });

  it('takes only ratios of at most 4,096 phases and leaves the rest to wavefile', () => {
    expect(resampleRatio(44_100, 16_000)).toEqual({ up: 160, down: 441 });
    expect(resampleRatio(16_000, 16_000)).toEqual({ up: 1, down: 1 });
    expect(resampleRatio(44_101, 16_000)).toBeNull();
    const same = Float32Array.of(1, 2, 3);
    expect(resample(same, 16_000, 16_000)).toBe(same);
  });

  it('decodes a stereo 48 kHz WAV to 16 kHz mono: the channels averaged, then resampled', () => {
    const left = tone(440, 48_000, 0.25);
    const right = tone(880, 48_000, 0.25, 0.25);
    const stereo = encodeWavChannels16([left, right], 48_000);
    const decoded = decodeWavMono(stereo, 16_000);
    const mono = Float32Array.from(
      left,
      (v, i) => (Math.round(v * 32767) / 32767 + Math.round(right[i]! * 32767) / 32767) / 2,
    );
    const expected = resample(mono, 48_000, 16_000)!;
    expect(decoded.length).toBe(expected.length);
    expect(snr(expected, decoded)).toBeGreaterThan(80);
    // A mono 44.1 kHz clip decodes at 16 kHz, the length the ratio gives.
    expect(decodeWavMono(encodeWav16(tone(440, 44_100, 1), 44_100), 16_000).length).toBe(16_000);
  });
});
