import sharp from 'sharp';
import { decodePngDirect, directPngChannels, PngError, readPngHeader } from './png';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

export interface ImageInfo {
  width: number;
  height: number;
  /** Colour channels without alpha: 1 (grey) or 3 (colour). */
  channels: 1 | 3;
}

export class ImageFormatError extends Error {}

/**
 * sharp's own limit (0x3FFF² pixels, 268 megapixels): beyond it sharp refuses to decode ("Input image exceeds
 * pixel limit"), which is no fault of the file, so it is said as what it is. Decoding one would take GBs anyway.
 */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

function checkPixels(width: number, height: number): void {
  if (width * height <= MAX_IMAGE_PIXELS) return;
  const size = Number.isFinite(width)
    ? `${width}×${height} pixels (${Math.round((width * height) / 1e6)} megapixels)`
    : `larger than ${Math.round(MAX_IMAGE_PIXELS / 1e6)} megapixels`;
  throw new ImageFormatError(
    `it is ${size}, too large: Modality Studio decodes images of up to ${Math.round(MAX_IMAGE_PIXELS / 1e6)} megapixels. Downscale it (the model sees it resized to the dataset's image size anyway)`,
  );
}

export async function inspectImage(bytes: Uint8Array): Promise<ImageInfo> {
  const png = readPngHeader(bytes);
  const pngChannels = png && directPngChannels(png);
  if (png) checkPixels(png.width, png.height);
  if (png && pngChannels && png.width > 0 && png.height > 0)
    return { width: png.width, height: png.height, channels: pngChannels };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageFormatError(`it is not a readable image (${(error as Error).message})`);
  }
  checkPixels(meta.width ?? 0, meta.height ?? 0);
  try {
    if (!meta.width || !meta.height) throw new Error('no size in its header');
    const colour = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0);
    return { width: meta.width, height: meta.height, channels: colour >= 3 ? 3 : 1 };
  } catch (error) {
    throw new ImageFormatError(`it is not a readable image (${(error as Error).message})`);
  }
}

/**
 * Decodes an image to float32 HWC in [0, 1] with exactly `channels` channels (alpha dropped), resized
 * (stretched, so no pixel is cropped away) to `height` × `width`. Fails on truncated or corrupt data.
 */
export async function decodeImage(
  bytes: Uint8Array,
  height: number,
  width: number,
  channels: 1 | 3,
): Promise<Float32Array> {
  const png = readPngHeader(bytes);
  if (png) checkPixels(png.width, png.height);
  try {
    const direct = decodePngDirect(bytes, height, width, channels);
    if (direct) return direct;
  } catch (error) {
    if (error instanceof PngError)
      throw new ImageFormatError(
        `its pixels could not be decoded (${error.message}); the file is corrupt or truncated`,
      );
    throw error;
  }
  let pixels: Buffer;
  try {
    let pipeline = sharp(bytes, { failOn: 'truncated' }).removeAlpha();
    pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels || info.width !== width || info.height !== height) {
      throw new Error(
        `decoded to ${info.height}x${info.width}x${info.channels}, expected ${height}x${width}x${channels}`,
      );
    }
    pixels = data;
  } catch (error) {
    if (/exceeds pixel limit/.test((error as Error).message)) checkPixels(Infinity, 1);
    throw new ImageFormatError(
      `its pixels could not be decoded (${(error as Error).message}); the file is corrupt or truncated`,
    );
  }
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += 1) out[i] = (pixels[i] ?? 0) / 255;
  return out;
}

/** Encodes float32 HWC in [0, 1] as PNG — used by `sample` and by tests. */
export async function encodePng(pixels: Float32Array, height: number, width: number, channels: 1 | 3): Promise<Buffer> {
  const bytes = Buffer.from(Uint8Array.from(pixels, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))));
  const image = sharp(bytes, { raw: { width, height, channels } });
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}
