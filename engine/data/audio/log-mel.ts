import FFT from 'fft.js';

/**
 * Log-mel spectrogram settings. Paper A.1 (VGG-Sound): 16 kHz audio, 1024-point DFT, 64 ms frames,
 * 32 ms frame shift, and the magnitude spectrogram fed as it is. Ours differs: a 64-band mel scale and a log
 * on top, so a small CNN sees a small, well-scaled image (64 rows instead of 513 frequency bins).
 */
export interface LogMelOptions {
  sampleRate: number;
  fftSize: number;
  windowMs: number;
  hopMs: number;
  melBands: number;
}

export const PAPER_LOG_MEL: LogMelOptions = {
  sampleRate: 16_000,
  fftSize: 1024,
  windowMs: 64,
  hopMs: 32,
  melBands: 64,
};

/** Frames a clip of `clipSamples` samples yields (frames are not centred or padded, as in the paper's code). */
export function frameCount(clipSamples: number, options: LogMelOptions): number {
  const window = Math.round((options.windowMs / 1000) * options.sampleRate);
  const hop = Math.round((options.hopMs / 1000) * options.sampleRate);
  return Math.max(1, 1 + Math.floor((clipSamples - window) / hop));
}

/** Slaney-style mel scale (linear below 1 kHz, logarithmic above), as librosa's default. */
function hzToMel(hz: number): number {
  const linearStep = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / linearStep;
  const logStep = Math.log(6.4) / 27;
  return hz < minLogHz ? hz / linearStep : minLogMel + Math.log(hz / minLogHz) / logStep;
}

function melToHz(mel: number): number {
  const linearStep = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / linearStep;
  const logStep = Math.log(6.4) / 27;
  return mel < minLogMel ? mel * linearStep : minLogHz * Math.exp(logStep * (mel - minLogMel));
}

/** Triangular filters `[melBands][fftSize / 2 + 1]` from 0 Hz to Nyquist, area-normalised (Slaney). */
export function melFilterbank(options: LogMelOptions): Float32Array[] {
  const bins = options.fftSize / 2 + 1;
  const maxMel = hzToMel(options.sampleRate / 2);
  const edges = Array.from({ length: options.melBands + 2 }, (_, i) => melToHz((i * maxMel) / (options.melBands + 1)));
  const binHz = (bin: number) => (bin * options.sampleRate) / options.fftSize;
  return Array.from({ length: options.melBands }, (_, band) => {
    const [lo = 0, mid = 0, hi = 0] = [edges[band], edges[band + 1], edges[band + 2]];
    const filter = new Float32Array(bins);
    const norm = 2 / (hi - lo);
    for (let bin = 0; bin < bins; bin += 1) {
      const hz = binHz(bin);
      const weight = hz <= mid ? (hz - lo) / (mid - lo) : (hi - hz) / (hi - mid);
      filter[bin] = Math.max(0, weight) * norm;
    }
    return filter;
  });
}

/**
 * A filterbank kept as each filter's non-zero run: the triangular filters are ~98% zeros (64 bands over
 * 513 bins), so the dense product was most of the spectrogram's time. Summing only the run, in the same
 * bin order, gives bit-identical energies (the skipped terms are exact zeros).
 */
interface SparseFilter {
  start: number;
  weights: Float32Array;
}

function sparseFilters(filters: Float32Array[]): SparseFilter[] {
  return filters.map((filter) => {
    let start = filter.findIndex((w) => w !== 0);
    if (start < 0) start = 0;
    let end = filter.length;
    while (end > start && filter[end - 1] === 0) end -= 1;
    return { start, weights: filter.slice(start, end) };
  });
}

/** What one spectrogram shape needs, made once per shape: FFT plan, Hann window, sparse filters. */
interface LogMelPlan {
  fft: FFT;
  window: number;
  hop: number;
  hann: Float32Array;
  filters: SparseFilter[];
}

const plans = new Map<string, LogMelPlan>();

function planFor(options: LogMelOptions): LogMelPlan {
  const key = JSON.stringify(options);
  const cached = plans.get(key);
  if (cached) return cached;
  const window = Math.round((options.windowMs / 1000) * options.sampleRate);
  const plan = {
    fft: new FFT(options.fftSize),
    window,
    hop: Math.round((options.hopMs / 1000) * options.sampleRate),
    hann: Float32Array.from({ length: window }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / window)),
    filters: sparseFilters(melFilterbank(options)),
  };
  plans.set(key, plan);
  return plan;
}

/**
 * Log-mel spectrogram of a mono clip, as a one-channel image `[melBands, frames, 1]` (height = frequency,
 * low bands first; width = time), flattened row-major. Magnitude spectrum (paper A.1 feeds the magnitude),
 * Hann window zero-padded to `fftSize`, `log(mel + 1e-6)`.
 */
export function logMelSpectrogram(clip: Float32Array, options: LogMelOptions): Float32Array {
  const { fft, window, hop, hann, filters: bands } = planFor(options);
  const frames = frameCount(clip.length, options);
  const input = new Float64Array(options.fftSize);
  const spectrum = fft.createComplexArray() as number[];
  const bins = options.fftSize / 2 + 1;
  const magnitude = new Float32Array(bins);
  const out = new Float32Array(options.melBands * frames);
  for (let frame = 0; frame < frames; frame += 1) {
    const start = frame * hop;
    // A clip shorter than one window leaves the rest of the frame zero, as zero-padding does.
    const filled = Math.max(0, Math.min(window, clip.length - start));
    for (let i = 0; i < filled; i += 1) input[i] = clip[start + i]! * hann[i]!;
    input.fill(0, filled, window);
    fft.realTransform(spectrum, input as unknown as number[]);
    for (let bin = 0; bin < bins; bin += 1) {
      const re = spectrum[2 * bin]!;
      const im = spectrum[2 * bin + 1]!;
      magnitude[bin] = Math.sqrt(re * re + im * im);
    }
    for (let band = 0; band < bands.length; band += 1) {
      const filter = bands[band]!;
      const weights = filter.weights;
      const first = filter.start;
      let energy = 0;
      for (let k = 0; k < weights.length; k += 1) energy += weights[k]! * magnitude[first + k]!;
      out[band * frames + frame] = Math.log(energy + 1e-6);
    }
  }
  return out;
}

/** Crops (from the start) or tiles a clip to exactly `length` samples. */
export function fitClip(clip: Float32Array, length: number): Float32Array {
  if (clip.length === length) return clip;
  if (clip.length > length) return clip.slice(0, length);
  const out = new Float32Array(length);
  if (clip.length === 0) return out;
  for (let offset = 0; offset < length; offset += clip.length)
    out.set(clip.subarray(0, Math.min(clip.length, length - offset)), offset);
  return out;
}
