import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../util/random';
import { frameCount, logMelSpectrogram, melFilterbank, PAPER_LOG_MEL, type LogMelOptions } from './log-mel';

/**
 * The spectrogram as it was computed before the sparse filterbank (every filter multiplied over every bin):
 * the cached log-mel images of existing datasets hold these exact values.
 */
function denseLogMel(clip: Float32Array, options: LogMelOptions): Float32Array {
  const filters = melFilterbank(options);
  const window = Math.round((options.windowMs / 1000) * options.sampleRate);
  const hop = Math.round((options.hopMs / 1000) * options.sampleRate);
  const frames = frameCount(clip.length, options);
  const fft = new FFT(options.fftSize);
  const input = new Array<number>(options.fftSize).fill(0);
  const spectrum = fft.createComplexArray() as number[];
  const magnitude = new Float32Array(options.fftSize / 2 + 1);
  const hann = Float32Array.from({ length: window }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / window));
  const out = new Float32Array(options.melBands * frames);
  for (let frame = 0; frame < frames; frame += 1) {
    for (let i = 0; i < options.fftSize; i += 1) input[i] = i < window ? (clip[frame * hop + i] ?? 0) * hann[i]! : 0;
    fft.realTransform(spectrum, input);
    for (let bin = 0; bin < magnitude.length; bin += 1) {
      const re = spectrum[2 * bin]!;
      const im = spectrum[2 * bin + 1]!;
      magnitude[bin] = Math.sqrt(re * re + im * im);
    }
    for (let band = 0; band < options.melBands; band += 1) {
      let energy = 0;
      for (let bin = 0; bin < magnitude.length; bin += 1) energy += filters[band]![bin]! * magnitude[bin]!;
      out[band * frames + frame] = Math.log(energy + 1e-6);
    }
  }
  return out;
}

describe('log-mel spectrogram', () => {
  const random = new SeededRandom(3);
  const noisyTone = (length: number) =>
    Float32Array.from({ length }, (_, i) => 0.3 * Math.sin(i / 7) + 0.2 * (random.next() - 0.5));

  it.each([
    ['a 1-s clip, the paper settings', PAPER_LOG_MEL, 16_000],
    ['a clip shorter than one window', PAPER_LOG_MEL, 700],
    [
      'other settings (8 kHz, 512-point FFT, 40 bands)',
      { sampleRate: 8000, fftSize: 512, windowMs: 50, hopMs: 20, melBands: 40 },
      8000,
    ],
  ] as const)('gives bit-identical values to the dense filterbank product: %s', (_, options, length) => {
    const clip = noisyTone(length);
    expect(logMelSpectrogram(clip, options)).toEqual(denseLogMel(clip, options));
  });
});
