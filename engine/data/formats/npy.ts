import { float32Expectation, isFloat32Finite } from '../manifest/cells';
import { excerpt } from '../excerpt';

/**
 * NumPy `.npy` files (format versions 1–3): header parsing and conversion to float32.
 * Written here rather than taken from a package so that every malformed header gets a precise message.
 */

export interface NpyHeader {
  dtype: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DTYPE_BYTES: Record<string, number> = {
  f2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

export class NpyFormatError extends Error {}

/** NumPy writes headers of a few hundred bytes; a longer one is not a header we need to read. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Where the header ends (= where the data starts), from the file's first 12 bytes: how many bytes to read
 * to parse it with {@link parseNpyHeader} without reading the data.
 */
export function npyHeaderEnd(prefix: Uint8Array): number {
  if (prefix.length < 10 || MAGIC.some((b, i) => prefix[i] !== b)) {
    throw new NpyFormatError('it does not start with the .npy magic bytes "\\x93NUMPY"');
  }
  const major = prefix[6] ?? 0;
  if (major < 1 || major > 3) throw new NpyFormatError(`its format version is ${major}; versions 1 to 3 are supported`);
  if (major > 1 && prefix.length < 12) throw new NpyFormatError('it ends inside its header; it is truncated');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES)
    throw new NpyFormatError(
      `its header claims ${headerLength} bytes; NumPy headers are a few hundred bytes, so the file is corrupt`,
    );
  return (major === 1 ? 10 : 12) + headerLength;
}

/** Bytes of data the header promises after `dataOffset`. */
export function npyDataBytes(header: NpyHeader): number {
  return header.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[header.dtype] ?? 1);
}

/** Parses the header; `bytes` needs to hold at least the header, not the data. */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const dataOffset = npyHeaderEnd(bytes);
  const major = bytes[6] ?? 0;
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = dataOffset - headerStart;
  if (bytes.length < headerStart + headerLength)
    throw new NpyFormatError(
      `its header promises ${headerLength} bytes but the file ends before that; it is truncated`,
    );
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new NpyFormatError(`its header is not a NumPy header dictionary: ${excerpt(header.trim())}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0))
    throw new NpyFormatError(`its shape ${excerpt(shapeText)} is not a tuple of sizes`);
  const dtype = descr.replace(/^[<>|=]/, '');
  if (!Object.hasOwn(DTYPE_BYTES, dtype))
    throw new NpyFormatError(
      `its dtype is ${excerpt(descr)}; expected a number type (float16/32/64, int, uint or bool)`,
    );
  if (descr.startsWith('>') && DTYPE_BYTES[dtype] !== 1)
    throw new NpyFormatError(`it is big-endian (${descr}); save it little-endian (numpy's default)`);
  return { dtype, fortranOrder: fortran === 'True', shape, dataOffset };
}

/** Decodes a whole `.npy` file to float32 in C (row-major) order. */
export function decodeNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  const header = parseNpyHeader(bytes);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const width = DTYPE_BYTES[header.dtype] ?? 1;
  const needed = header.dataOffset + npyDataBytes(header);
  if (bytes.length < needed) {
    throw new NpyFormatError(
      `its header promises ${count} values (${needed} bytes in all) but the file holds only ${bytes.length} bytes; it is truncated`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, count * width);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i += 1) {
    const value = readValue(view, header.dtype, i * width);
    // Checked before the float32 store: a float64 3e39 is finite, and Infinity once stored.
    if (!isFloat32Finite(value)) throw new NpyFormatError(`value ${i} is ${value}; ${float32Expectation(value)}`);
    data[i] = value;
  }
  return { shape: header.shape, data: header.fortranOrder ? toRowMajor(data, header.shape) : data };
}

function readValue(view: DataView, dtype: string, offset: number): number {
  switch (dtype) {
    case 'f2':
      return float16(view.getUint16(offset, true));
    case 'f4':
      return view.getFloat32(offset, true);
    case 'f8':
      return view.getFloat64(offset, true);
    case 'i1':
      return view.getInt8(offset);
    case 'i2':
      return view.getInt16(offset, true);
    case 'i4':
      return view.getInt32(offset, true);
    case 'i8':
      return Number(view.getBigInt64(offset, true));
    case 'u1':
    case 'b1':
      return view.getUint8(offset);
    case 'u2':
      return view.getUint16(offset, true);
    case 'u4':
      return view.getUint32(offset, true);
    case 'u8':
      return Number(view.getBigUint64(offset, true));
    default:
      throw new NpyFormatError(`dtype ${dtype} is not supported`);
  }
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function toRowMajor(data: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(data.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let f = 0; f < data.length; f += 1) {
    // f walks Fortran order (first axis fastest); compute the C-order offset of the same index.
    let c = 0;
    for (let axis = 0; axis < rank; axis += 1) c = c * (shape[axis] ?? 1) + (index[axis] ?? 0);
    out[c] = data[f] ?? 0;
    for (let axis = 0; axis < rank; axis += 1) {
      index[axis] = (index[axis] ?? 0) + 1;
      if ((index[axis] ?? 0) < (shape[axis] ?? 1)) break;
      index[axis] = 0;
    }
  }
  return out;
}

/** Writes a little-endian float32 `.npy` (version 1) — used by `sample` and by tests. */
export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
