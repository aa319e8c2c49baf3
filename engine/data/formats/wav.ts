import wavefilePackage from 'wavefile';
import { resample, resampleRatio } from '../audio/resample';
import {
  readWavHeader,
  WAVE_FORMAT_ALAW,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_IMA_ADPCM,
  WAVE_FORMAT_MULAW,
  WAVE_FORMAT_PCM,
  WavFormatError,
  type ReadAt,
  type WavHeader,
} from './wav-header';

export { WavFormatError } from './wav-header';

const { WaveFile } = wavefilePackage;

export interface WavInfo {
  sampleRate: number;
  channels: number;
  /** Frames (samples per channel). */
  frames: number;
}

/**
 * Reads a WAV header (through positioned reads: a probe needs a few dozen bytes, not the clip) and checks
 * that the file holds all the data its header promises. `readAll` is the fallback for the rare variants
 * (RIFX, RF64) that the general decoder reads.
 */
export function inspectWavAt(read: ReadAt, fileSize: number, readAll: () => Uint8Array): WavInfo {
  const header = readWavHeader(read, fileSize);
  if (header) return { sampleRate: header.sampleRate, channels: header.channels, frames: header.frames };
  return inspectWithWavefile(readAll());
}

/** {@link inspectWavAt} on bytes already in memory. */
export function inspectWav(bytes: Uint8Array): WavInfo {
  return inspectWavAt(bytesReader(bytes), bytes.length, () => bytes);
}

/**
 * Decodes a WAV to mono float32 at `targetRate` Hz, channels averaged before any resampling. PCM
 * (8/16/24/32-bit integer) and 32/64-bit float are decoded here straight from the bytes, with wavefile's
 * scaling (negative values / 2^(b-1), positive ones / (2^(b-1) − 1)); other encodings (A-law, µ-law,
 * ADPCM…) are expanded by wavefile. Another rate goes through our polyphase resampler (audio/resample.ts:
 * ~100× faster than wavefile's, and no aliasing above the new Nyquist); wavefile's resampler is left only for
 * rates with no usable ratio to the target (more than 4,096 phases).
 */
export function decodeWavMono(bytes: Uint8Array, targetRate: number): Float32Array {
  const header = readWavHeader(bytesReader(bytes), bytes.length);
  if (header && readsDirectly(header)) {
    const mono = decodeDirect(bytes, header);
    const resampled = resample(mono, header.sampleRate, targetRate);
    if (resampled) return resampled;
  }
  return decodeWithWavefile(bytes, targetRate);
}

function readsDirectly(header: WavHeader): boolean {
  const bytesPerSample = header.bitsPerSample / 8;
  if (!Number.isInteger(bytesPerSample) || header.blockAlign !== bytesPerSample * header.channels) return false;
  if (header.formatTag === WAVE_FORMAT_PCM) return [8, 16, 24, 32].includes(header.bitsPerSample);
  return header.formatTag === WAVE_FORMAT_IEEE_FLOAT && (header.bitsPerSample === 32 || header.bitsPerSample === 64);
}

function decodeDirect(bytes: Uint8Array, header: WavHeader): Float32Array {
  const { channels, frames, bitsPerSample } = header;
  const data = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, frames * header.blockAlign);
  const sample = sampleReader(header.formatTag, bitsPerSample);
  const width = bitsPerSample / 8;
  const mono = new Float32Array(frames);
  if (channels === 1 && bitsPerSample === 16 && header.formatTag === WAVE_FORMAT_PCM) {
    // The common case (speech corpora), unrolled: a DataView call per sample was most of the decode time.
    const base = bytes.byteOffset + header.dataOffset;
    const raw = new Uint8Array(bytes.buffer, base, frames * 2);
    for (let i = 0; i < frames; i += 1) {
      const value = ((raw[2 * i + 1]! << 24) >> 16) | raw[2 * i]!;
      mono[i] = value > 0 ? value / 32767 : value / 32768;
    }
    return mono;
  }
  if (channels === 1) {
    for (let i = 0; i < frames; i += 1) mono[i] = sample(data, i * width);
    return mono;
  }
  // Averaged channel by channel in float32, as the wavefile path did (one rounding per added channel).
  for (let c = 0; c < channels; c += 1) {
    for (let i = 0; i < frames; i += 1)
      mono[i] = (mono[i] ?? 0) + Math.fround(sample(data, (i * channels + c) * width)) / channels;
  }
  return mono;
}

/** One sample at a byte offset, as a float in [-1, 1] (integers scaled as wavefile's intToFloat does). */
function sampleReader(formatTag: number, bits: number): (data: DataView, offset: number) => number {
  if (formatTag === WAVE_FORMAT_IEEE_FLOAT)
    return bits === 32 ? (d, o) => d.getFloat32(o, true) : (d, o) => d.getFloat64(o, true);
  const min = 2 ** (bits - 1);
  const max = min - 1;
  const scale = (value: number) => (value > 0 ? value / max : value / min);
  switch (bits) {
    case 8:
      return (d, o) => scale(d.getUint8(o) - 128); // 8-bit WAV is unsigned
    case 16:
      return (d, o) => scale(d.getInt16(o, true));
    case 24:
      return (d, o) => scale(((d.getUint8(o + 2) << 24) >> 8) | (d.getUint8(o + 1) << 8) | d.getUint8(o));
    default:
      return (d, o) => scale(d.getInt32(o, true));
  }
}

function bytesReader(bytes: Uint8Array): ReadAt {
  return (position, length) => bytes.subarray(position, position + length);
}

function inspectWithWavefile(bytes: Uint8Array): WavInfo {
  const wav = open(bytes);
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; blockAlign: number };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  if (!fmt.numChannels || !fmt.sampleRate || !fmt.blockAlign)
    throw new WavFormatError('its "fmt " chunk is missing or has zero channels or sample rate');
  if (data.samples.length < data.chunkSize) {
    throw new WavFormatError(
      `its header promises ${data.chunkSize} bytes of audio but the file holds only ${data.samples.length}; it is truncated`,
    );
  }
  if (data.chunkSize === 0) throw new WavFormatError('it holds no audio samples');
  return { sampleRate: fmt.sampleRate, channels: fmt.numChannels, frames: Math.floor(data.chunkSize / fmt.blockAlign) };
}

/** The general path (any encoding wavefile reads, any rate): wavefile's conversion and cubic resampler. */
function decodeWithWavefile(bytes: Uint8Array, targetRate: number): Float32Array {
  inspectWithWavefile(bytes);
  const wav = open(bytes);
  try {
    // Companded and ADPCM samples are expanded to 16-bit PCM first: toBitDepth alone scales their codes as
    // if they were linear (A-law came out as values up to ±32 instead of ±1).
    const format = (wav.fmt as { audioFormat: number }).audioFormat;
    if (format === WAVE_FORMAT_ALAW) wav.fromALaw();
    else if (format === WAVE_FORMAT_MULAW) wav.fromMuLaw();
    else if (format === WAVE_FORMAT_IMA_ADPCM) wav.fromIMAADPCM();
    wav.toBitDepth('32f');
    const rate = (wav.fmt as { sampleRate: number }).sampleRate;
    // Our resampler where it takes the ratio (on the mono mix: one channel to filter), wavefile's elsewhere.
    if (rate !== targetRate && !resampleRatio(rate, targetRate)) wav.toSampleRate(targetRate);
  } catch (error) {
    throw new WavFormatError(
      `its encoding could not be converted (${(error as Error).message}); save it as PCM or float WAV`,
    );
  }
  // After wavefile's resampler (no usable ratio) the rate is the target's, and resample returns the samples as they are.
  return resample(monoSamples(wav), (wav.fmt as { sampleRate: number }).sampleRate, targetRate)!;
}

/** wavefile's samples, channels averaged. */
function monoSamples(wav: InstanceType<typeof WaveFile>): Float32Array {
  // wavefile types its output-constructor parameter loosely; it returns one array per channel when stereo.
  const getSamples = wav.getSamples.bind(wav) as unknown as (
    interleaved: boolean,
    output: Float32ArrayConstructor,
  ) => Float32Array | Float32Array[];
  const samples = getSamples(false, Float32Array);
  if (!Array.isArray(samples)) return Float32Array.from(samples);
  const mono = new Float32Array(samples[0]?.length ?? 0);
  for (const channel of samples)
    for (let i = 0; i < mono.length; i += 1) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0) / samples.length;
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
  return encodeWavChannels16([samples], sampleRate);
}

/** Writes a 16-bit PCM WAV of one or more channels of equal length (interleaved in the file). */
export function encodeWavChannels16(channels: Float32Array[], sampleRate: number): Uint8Array {
  const wav = new WaveFile();
  const toInt = (v: number) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
  const ints = channels.map((channel) => Int16Array.from(channel, toInt));
  wav.fromScratch(channels.length, sampleRate, '16', channels.length === 1 ? ints[0]! : ints);
  return wav.toBuffer();
}
