import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageFormatError, inspectImage } from './image';
import { decodePngDirect } from './png';

/**
 * The direct PNG decoder (the fast path for small 8-bit images) must give exactly the pixels sharp gives,
 * whatever row filters the encoder chose, and leave every other PNG to sharp.
 */
const COLOUR_BYTES: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose row y uses filter `filters[y % filters.length]`, written by hand so every filter type occurs. */
function encodePng(pixels: Uint8Array, width: number, height: number, colourType: number, filters: number[]): Buffer {
  const bpp = COLOUR_BYTES[colourType] as number;
  const stride = width * bpp;
  const raw = Buffer.alloc(height * (stride + 1));
  const at = (y: number, x: number) => (y < 0 || x < 0 ? 0 : (pixels[y * stride + x] as number));
  for (let y = 0; y < height; y += 1) {
    const filter = filters[y % filters.length] as number;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x += 1) {
      const [a, b, c] = [at(y, x - bpp), at(y - 1, x), at(y - 1, x - bpp)];
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      raw[y * (stride + 1) + 1 + x] = (at(y, x) - predicted) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

async function sharpPixels(bytes: Buffer, channels: 1 | 3): Promise<number[]> {
  const pipeline = sharp(bytes)
    .removeAlpha()
    .toColourspace(channels === 1 ? 'b-w' : 'srgb');
  return Array.from(await pipeline.raw().toBuffer());
}

describe('the direct PNG decoder', () => {
  it.each([
    [0, 1],
    [4, 1],
    [2, 3],
    [6, 3],
  ] as const)('decodes colour type %i with every row filter exactly as sharp does', async (colourType, channels) => {
    const [width, height] = [13, 20];
    // Noise with flat patches and repeated values, so that Paeth's ties (which neighbour wins) occur.
    let seed = 7;
    const pixels = Uint8Array.from({ length: width * height * (COLOUR_BYTES[colourType] as number) }, (_, i) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return i % 5 === 0 ? 128 : ((seed >> 16) % 8) * 32;
    });
    const bytes = encodePng(pixels, width, height, colourType, [0, 1, 2, 3, 4]);
    const direct = decodePngDirect(bytes, height, width, channels);
    expect(direct).not.toBeNull();
    expect(Array.from(direct ?? [], (v) => Math.round(v * 255))).toEqual(await sharpPixels(bytes, channels));
    expect(await inspectImage(bytes)).toEqual({ width, height, channels });
  });

  it('leaves PNGs it does not handle to sharp: another size, other channels, palette, 16-bit', async () => {
    const grey = encodePng(
      Uint8Array.from({ length: 12 }, (_, i) => i * 20),
      3,
      4,
      0,
      [0],
    );
    expect(decodePngDirect(grey, 4, 3, 3)).toBeNull();
    expect(decodePngDirect(grey, 8, 6, 1)).toBeNull();
    const asColour = await decodeImage(grey, 4, 3, 3);
    expect(Array.from(asColour.subarray(0, 6), (v) => Math.round(v * 255))).toEqual([0, 0, 0, 20, 20, 20]);
    const palette = await sharp(Buffer.alloc(4 * 4 * 3, 128), { raw: { width: 4, height: 4, channels: 3 } })
      .png({ palette: true })
      .toBuffer();
    expect(decodePngDirect(palette, 4, 4, 3)).toBeNull();
    expect(Array.from(await decodeImage(palette, 4, 4, 3), (v) => Math.round(v * 255))).toEqual(
      new Array(48).fill(128),
    );
    const deep = await sharp(Buffer.alloc(4 * 4, 200), { raw: { width: 4, height: 4, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect(decodePngDirect(deep, 4, 4, 1)).toBeNull();
  });

  it('rejects a truncated PNG with a message that says so', async () => {
    const bytes = encodePng(
      Uint8Array.from({ length: 64 }, (_, i) => i),
      8,
      8,
      0,
      [1],
    );
    await expect(decodeImage(bytes.subarray(0, bytes.length - 20), 8, 8, 1)).rejects.toThrow(ImageFormatError);
    await expect(decodeImage(bytes.subarray(0, bytes.length - 20), 8, 8, 1)).rejects.toThrow(/corrupt or truncated/);
  });
});
