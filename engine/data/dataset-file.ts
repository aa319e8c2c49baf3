import fs from 'node:fs';
import type { DatasetIssueCode } from '../protocol/dataset';
import { DatasetError } from './issues';
import { confinePath, describeConfinementFailure } from './paths';

/**
 * Reading a file of the user's dataset folder without letting the file decide how long that takes or how
 * much memory it costs: only regular files are read (a FIFO or a device such as /dev/zero never ends), never
 * more than a limit, and headers with bounded reads at given offsets. Confinement to the folder is
 * `confinePath`'s job; callers confine first, then read through here.
 */

/** `manifest.csv` / `manifest.jsonl`: ~20 M short rows; V8 cannot hold a string much longer than 512 MB. */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
/** `dataset.json` holds a name, a description and a few numbers per modality. */
export const MAX_OPTIONS_BYTES = 1024 * 1024;
/**
 * One sample's file (image, clip, array). Samples are decoded whole into memory, several at a time; 256 MB is
 * 30 minutes of 16-bit stereo audio at 48 kHz, far more than a model input needs (clips are cut to ≤ 60 s).
 */
export const MAX_SAMPLE_FILE_BYTES = 256 * 1024 * 1024;

export class DatasetFileError extends Error {
  constructor(
    readonly reason: 'not-regular' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'DatasetFileError';
  }
}

/** An open regular file: its size when opened and positioned reads that never go past `size`. */
export interface OpenDatasetFile {
  size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the file). */
  read(position: number, length: number): Buffer;
}

// O_NONBLOCK: open(2) of a FIFO with no writer would block this thread forever; with it, the open returns at
// once and fstat shows what it is. It has no effect on regular files. Windows has no such flag (nor FIFOs).
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens `absolute`, checks on the open descriptor (so a file swapped in between cannot slip through) that it
 * is a regular file, and runs `use` on it. `label` names the file in messages (its path in the folder).
 */
export function withDatasetFile<T>(absolute: string, label: string, use: (file: OpenDatasetFile) => T): T {
  const fd = fs.openSync(absolute, OPEN_FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile())
      throw new DatasetFileError(
        'not-regular',
        `${label} is ${describeKind(stat)}, not a regular file; only regular files are read from a dataset folder. Replace it with the file itself.`,
      );
    const size = stat.size;
    return use({
      size,
      read(position, length) {
        const wanted = Math.max(0, Math.min(length, size - position));
        const buffer = Buffer.alloc(wanted);
        let filled = 0;
        while (filled < wanted) {
          const got = fs.readSync(fd, buffer, filled, wanted - filled, position + filled);
          if (got === 0) break; // the file shrank since fstat
          filled += got;
        }
        return filled === wanted ? buffer : buffer.subarray(0, filled);
      },
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses a file larger than `maxBytes`, whether it is read whole or only its header is. */
export function checkFileSize(file: OpenDatasetFile, label: string, maxBytes: number): void {
  if (file.size > maxBytes) {
    throw new DatasetFileError(
      'too-large',
      `${label} is ${formatBytes(file.size)}; at most ${formatBytes(maxBytes)} is read from one file. Check that it is the file you meant, or make it smaller.`,
    );
  }
}

/** The whole file, refused before reading when it is larger than `maxBytes`. */
export function readDatasetFile(absolute: string, label: string, maxBytes: number): Buffer {
  return withDatasetFile(absolute, label, (file) => {
    checkFileSize(file, label, maxBytes);
    return file.read(0, file.size);
  });
}

function describeKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a plain file';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * A file the folder itself holds by name (`manifest.csv`, `dataset.json`): confined to the folder like sample
 * files, read whole within `maxBytes`, and every failure a {@link DatasetError} naming it. `code` is the issue
 * code of a file that is there but cannot be used; `fix` ends each message with what to do.
 */
export function readFolderFile(
  rootReal: string,
  name: string,
  maxBytes: number,
  code: DatasetIssueCode,
  fix: string,
): Buffer {
  const confined = confinePath(rootReal, name);
  if (!confined.ok)
    throw new DatasetError({
      code: 'path-outside',
      file: name,
      message: `${name} ${describeConfinementFailure(confined.reason)}.`,
    });
  try {
    return readDatasetFile(confined.absolute, name, maxBytes);
  } catch (error) {
    if (error instanceof DatasetFileError)
      throw new DatasetError({
        code: error.reason === 'too-large' ? 'file-too-large' : code,
        file: name,
        message: `${error.message}${fix ? ` ${fix}` : ''}`,
      });
    throw new DatasetError({
      code,
      file: name,
      message: `${name} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); make it readable.${fix ? ` ${fix}` : ''}`,
    });
  }
}
