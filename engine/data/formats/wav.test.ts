import wavefilePackage from 'wavefile';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../util/random';
import { resample } from '../audio/resample';
import { decodeWavMono, inspectWav, inspectWavAt } from './wav';

const { WaveFile } = wavefilePackage;

/** How every clip was decoded before the direct decoder: wavefile's conversion, resampler and channel mix. */
function decodedByWavefile(bytes: Uint8Array, targetRate: number): Float32Array {
  const wav = new WaveFile(bytes);
  wav.toBitDepth('32f');
  if ((wav.fmt as { sampleRate: number }).sampleRate !== targetRate) wav.toSampleRate(targetRate);
  const samples = (
    wav.getSamples as unknown as (
      interleaved: boolean,
      output: Float32ArrayConstructor,
    ) => Float32Array | Float32Array[]
  )(false, Float32Array);
  if (!Array.isArray(samples)) return Float32Array.from(samples);
  const mono = new Float32Array(samples[0]!.length);
  for (const channel of samples)
    for (let i = 0; i < mono.length; i += 1) mono[i] = mono[i]! + channel[i]! / samples.length;
  return mono;
}

/** A WAV of `frames` seeded random samples per channel, full scale (extremes included), in `bitDepth`. */
function randomWav(bitDepth: string, channels: number, rate: number, frames: number, seed = 1): Uint8Array {
  const random = new SeededRandom(seed);
  const float = bitDepth === '32f' || bitDepth === '64';
  const bits = float ? 0 : Number(bitDepth);
  const value = (i: number) => {
    if (float) return i === 0 ? 1 : i === 1 ? -1 : random.next() * 2 - 1;
    const min = bits === 8 ? 0 : -(2 ** (bits - 1));
    const max = bits === 8 ? 255 : 2 ** (bits - 1) - 1;
    return i === 0 ? max : i === 1 ? min : Math.floor(min + random.next() * (max - min + 1));
  };
  const data = Array.from({ length: channels }, () => Array.from({ length: frames }, (_, i) => value(i)));
  const wav = new WaveFile();
  wav.fromScratch(channels, rate, bitDepth, channels === 1 ? data[0]! : data);
  return wav.toBuffer();
}

/** Inserts an odd-sized chunk between "fmt " and "data", as editors that add metadata do. */
function withExtraChunk(bytes: Uint8Array): Uint8Array {
  const dataAt = Buffer.from(bytes).indexOf('data');
  const extra = Buffer.concat([Buffer.from('junk'), Buffer.from([3, 0, 0, 0]), Buffer.from([1, 2, 3, 0])]);
  const out = Buffer.concat([Buffer.from(bytes.subarray(0, dataAt)), extra, Buffer.from(bytes.subarray(dataAt))]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

describe('WAV decoding straight from the bytes', () => {
  it.each(
    ['8', '16', '24', '32', '32f', '64'].flatMap((bits) => [1, 2, 3].map((channels) => [bits, channels] as const)),
  )('gives exactly the samples wavefile gave: %s-bit, %i channel(s)', (bits, channels) => {
    const bytes = randomWav(bits, channels, 16_000, 4000, channels);
    expect(decodeWavMono(bytes, 16_000)).toEqual(decodedByWavefile(bytes, 16_000));
  });

  it('walks past chunks it does not know, odd-sized ones included', () => {
    const bytes = withExtraChunk(randomWav('16', 2, 16_000, 1000));
    expect(decodeWavMono(bytes, 16_000)).toEqual(decodedByWavefile(bytes, 16_000));
    expect(inspectWav(bytes)).toEqual({ sampleRate: 16_000, channels: 2, frames: 1000 });
  });

  it("resamples other rates with the polyphase resampler after mixing the channels, wavefile's only for rates it cannot take", () => {
    const stereo = randomWav('16', 2, 44_100, 4410);
    expect(decodeWavMono(stereo, 16_000)).toEqual(resample(decodedByWavefile(stereo, 44_100), 44_100, 16_000));
    // A-law at 44.1 kHz: expanded by wavefile, then resampled by ours.
    const law = new WaveFile(randomWav('16', 1, 44_100, 4410));
    law.toALaw();
    const lawBytes = law.toBuffer();
    const lawExpanded = new WaveFile(lawBytes);
    lawExpanded.fromALaw();
    expect(decodeWavMono(lawBytes, 16_000)).toEqual(
      resample(decodedByWavefile(lawExpanded.toBuffer(), 44_100), 44_100, 16_000),
    );
    // 44,101 Hz shares no factor with 16 kHz (16,000 phases): wavefile's resampler, as before.
    const odd = randomWav('16', 1, 44_101, 4410);
    expect(decodeWavMono(odd, 16_000)).toEqual(decodedByWavefile(odd, 16_000));
  });

  it('reads other encodings (A-law) through wavefile, expanded to PCM first', () => {
    const source = randomWav('16', 1, 16_000, 1600);
    const alaw = new WaveFile(source);
    alaw.toALaw();
    const bytes = alaw.toBuffer();
    const expanded = new WaveFile(bytes);
    expanded.fromALaw();
    expect(decodeWavMono(bytes, 16_000)).toEqual(decodedByWavefile(expanded.toBuffer(), 16_000));
    // A-law keeps about 12 bits: within a few percent of full scale of the 16-bit source, never ±32 as before.
    const original = decodedByWavefile(source, 16_000);
    expect(Math.max(...decodeWavMono(bytes, 16_000).map((v, i) => Math.abs(v - original[i]!)))).toBeLessThan(0.05);
  });

  it('probes a clip by its header alone: a few dozen bytes of a 10-second clip', () => {
    const bytes = randomWav('16', 1, 16_000, 160_000);
    let read = 0;
    const info = inspectWavAt(
      (position, length) => {
        read += length;
        return bytes.subarray(position, position + length);
      },
      bytes.length,
      () => bytes,
    );
    expect(info).toEqual({ sampleRate: 16_000, channels: 1, frames: 160_000 });
    expect(read).toBeLessThan(128);
  });

  it('refuses truncated, empty and non-WAV files with the reason', () => {
    const bytes = randomWav('16', 1, 16_000, 1000);
    expect(() => decodeWavMono(bytes.subarray(0, 1000), 16_000)).toThrow(
      /promises 2000 bytes of audio but the file holds only 956; it is truncated/,
    );
    expect(() => inspectWav(randomWav('16', 1, 16_000, 0))).toThrow(/no audio samples/);
    expect(() => inspectWav(new TextEncoder().encode('hello, not a wav file at all'))).toThrow(
      /not a readable WAV file/,
    );
  });
});
