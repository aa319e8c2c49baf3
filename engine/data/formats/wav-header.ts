/**
 * The RIFF/WAVE chunk walk: where the "fmt " and "data" chunks are and what they say, read through
 * positioned reads so that a probe touches a few dozen bytes of a clip instead of the whole file.
 */

export class WavFormatError extends Error {}

/** Format tags of the "fmt " chunk (mmreg.h). */
export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_IEEE_FLOAT = 3;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const WAVE_FORMAT_ALAW = 6;
export const WAVE_FORMAT_MULAW = 7;
export const WAVE_FORMAT_IMA_ADPCM = 0x11;

/** The encodings read (directly, or through wavefile's decoders), with the sample widths each may have. */
const READABLE: Record<number, { name: string; bits: number[] }> = {
  [WAVE_FORMAT_PCM]: { name: 'PCM', bits: [8, 16, 24, 32] },
  [WAVE_FORMAT_IEEE_FLOAT]: { name: 'float', bits: [32, 64] },
  [WAVE_FORMAT_ALAW]: { name: 'A-law', bits: [8] },
  [WAVE_FORMAT_MULAW]: { name: 'µ-law', bits: [8] },
  [WAVE_FORMAT_IMA_ADPCM]: { name: 'IMA ADPCM', bits: [4] },
};

/** Names of tags met in the wild that are not read, so that the message can say what the file is. */
const KNOWN_UNREAD: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x0161: 'WMA',
  0x1610: 'AAC',
};

const CONVERT = 'convert it to 16-bit PCM (e.g. ffmpeg -i IN -c:a pcm_s16le OUT.wav)';

export interface WavHeader {
  /** The format tag; for WAVE_FORMAT_EXTENSIBLE, the sub-format's tag (the first two bytes of its GUID). */
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Byte offset and size of the data chunk's payload as the header gives it. */
  dataOffset: number;
  dataBytes: number;
  /** Frames (samples per channel) the data chunk holds. */
  frames: number;
}

/** Positioned reads of a file (or of bytes already in memory): up to `length` bytes from `position`. */
export type ReadAt = (position: number, length: number) => Uint8Array;

/** The file's chunks are walked at most this far: a real WAV has a handful (fmt, data, LIST, fact, cue…). */
const MAX_CHUNKS = 1024;

/**
 * Reads the header of a little-endian RIFF/WAVE file of `fileSize` bytes and checks that the file holds all
 * the audio its header promises. Throws {@link WavFormatError} with a message naming what is wrong; null for
 * the rare RIFX and RF64 variants.
 */
export function readWavHeader(read: ReadAt, fileSize: number): WavHeader | null {
  const riff = read(0, 12);
  const tag = ascii(riff, 0);
  if (riff.length < 12 || (tag !== 'RIFF' && tag !== 'RIFX' && tag !== 'RF64') || ascii(riff, 8) !== 'WAVE') {
    throw new WavFormatError('it is not a readable WAV file (it does not start with a RIFF/WAVE header)');
  }
  if (tag !== 'RIFF') return null; // big-endian RIFX and 64-bit RF64: rare, left to the general decoder
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'frames'> | null = null;
  let data: { offset: number; bytes: number } | null = null;
  let position = 12;
  for (let chunks = 0; chunks < MAX_CHUNKS && position + 8 <= fileSize && !(fmt && data); chunks += 1) {
    const head = read(position, 8);
    if (head.length < 8) break;
    const id = ascii(head, 0);
    const size = view(head).getUint32(4, true);
    if (id === 'fmt ') fmt = parseFmt(read(position + 8, Math.min(size, 64)));
    else if (id === 'data') data = { offset: position + 8, bytes: size };
    position += 8 + size + (size & 1); // chunks are word-aligned
  }
  if (!fmt) throw new WavFormatError('its "fmt " chunk is missing, so how its audio is encoded is unknown');
  if (!fmt.channels || !fmt.sampleRate || !fmt.blockAlign)
    throw new WavFormatError(
      `its "fmt " chunk gives ${fmt.channels} channels, ${fmt.sampleRate} Hz and ${fmt.blockAlign}-byte frames; none of them may be 0`,
    );
  checkEncoding(fmt.formatTag, fmt.bitsPerSample);
  if (!data) throw new WavFormatError('it has no "data" chunk, so it holds no audio');
  const available = Math.max(0, fileSize - data.offset);
  if (available < data.bytes)
    throw new WavFormatError(
      `its header promises ${data.bytes} bytes of audio but the file holds only ${available}; it is truncated`,
    );
  if (data.bytes === 0) throw new WavFormatError('it holds no audio samples');
  return { ...fmt, dataOffset: data.offset, dataBytes: data.bytes, frames: framesIn(fmt, data.bytes) };
}

/**
 * Frames in `bytes` of audio. An IMA ADPCM block holds one uncompressed sample per channel in its 4-byte
 * header and two 4-bit samples per byte after it (Microsoft's IMA ADPCM layout).
 */
function framesIn(fmt: Pick<WavHeader, 'formatTag' | 'blockAlign' | 'channels'>, bytes: number): number {
  const blocks = Math.floor(bytes / fmt.blockAlign);
  if (fmt.formatTag !== WAVE_FORMAT_IMA_ADPCM) return blocks;
  return blocks * (((fmt.blockAlign - 4 * fmt.channels) * 2) / fmt.channels + 1);
}

/** Refuses an encoding that is not read, naming it, instead of decoding its bytes as if they were PCM. */
function checkEncoding(formatTag: number, bits: number): void {
  const readable = READABLE[formatTag];
  const tag = `0x${formatTag.toString(16).padStart(4, '0')}`;
  if (!readable) {
    const known = KNOWN_UNREAD[formatTag];
    throw new WavFormatError(
      `its encoding (format tag ${tag}${known ? `, ${known}` : ''}) is not one Modality Studio reads (PCM, float, A-law, µ-law, IMA ADPCM); ${CONVERT}`,
    );
  }
  if (!readable.bits.includes(bits)) {
    throw new WavFormatError(
      `it is ${bits}-bit ${readable.name}, which has ${readable.bits.join(', ')}-bit samples only; ${CONVERT}`,
    );
  }
}

function parseFmt(bytes: Uint8Array): Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'frames'> {
  if (bytes.length < 16) throw new WavFormatError('its "fmt " chunk is shorter than 16 bytes');
  const v = view(bytes);
  const declared = v.getUint16(0, true);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format in its sub-format GUID, whose first two bytes are the tag.
  const formatTag = declared === WAVE_FORMAT_EXTENSIBLE && bytes.length >= 26 ? v.getUint16(24, true) : declared;
  return {
    formatTag,
    channels: v.getUint16(2, true),
    sampleRate: v.getUint32(4, true),
    blockAlign: v.getUint16(12, true),
    bitsPerSample: v.getUint16(14, true),
  };
}

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
