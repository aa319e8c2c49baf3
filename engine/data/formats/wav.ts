import wavefilePackage from 'wavefile';

const { WaveFile } = wavefilePackage;

export class WavFormatError extends Error {}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  /** Frames (samples per channel). */
  frames: number;
}

/** Reads a WAV header and checks that the file holds all the data its header promises. */
export function inspectWav(bytes: Uint8Array): WavInfo {
  const wav = open(bytes);
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; blockAlign: number };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  if (!fmt.numChannels || !fmt.sampleRate || !fmt.blockAlign) throw new WavFormatError('its "fmt " chunk is missing or has zero channels or sample rate');
  if (data.samples.length < data.chunkSize) {
    throw new WavFormatError(`its header promises ${data.chunkSize} bytes of audio but the file holds only ${data.samples.length}; it is truncated`);
  }
  if (data.chunkSize === 0) throw new WavFormatError('it holds no audio samples');
  return { sampleRate: fmt.sampleRate, channels: fmt.numChannels, frames: Math.floor(data.chunkSize / fmt.blockAlign) };
}

/**
 * Decodes a WAV to mono float32 at `targetRate` Hz (channels averaged; resampled with wavefile's cubic
 * interpolation and its low-pass filter when downsampling).
 */
export function decodeWavMono(bytes: Uint8Array, targetRate: number): Float32Array {
  inspectWav(bytes);
  const wav = open(bytes);
  try {
    wav.toBitDepth('32f');
    if ((wav.fmt as { sampleRate: number }).sampleRate !== targetRate) wav.toSampleRate(targetRate);
  } catch (error) {
    throw new WavFormatError(`its encoding could not be converted (${(error as Error).message}); save it as PCM or float WAV`);
  }
  // wavefile types its output-constructor parameter loosely; it returns one array per channel when stereo.
  const getSamples = wav.getSamples.bind(wav) as unknown as (interleaved: boolean, output: Float32ArrayConstructor) => Float32Array | Float32Array[];
  const samples = getSamples(false, Float32Array);
  if (!Array.isArray(samples)) return Float32Array.from(samples);
  const mono = new Float32Array(samples[0]?.length ?? 0);
  for (const channel of samples) for (let i = 0; i < mono.length; i += 1) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0) / samples.length;
  return mono;
}

function open(bytes: Uint8Array): InstanceType<typeof WaveFile> {
  try {
    return new WaveFile(bytes);
  } catch (error) {
    throw new WavFormatError(`it is not a readable WAV file (${(error as Error).message})`);
  }
}

/** Writes a 16-bit PCM WAV — used by `sample` and by tests. */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const wav = new WaveFile();
  const ints = Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
  wav.fromScratch(1, sampleRate, '16', ints);
  return wav.toBuffer();
}
