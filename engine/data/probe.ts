import fs from 'node:fs';
import path from 'node:path';
import { inspectImage, IMAGE_EXTENSIONS } from './formats/image';
import { decodeJsonVector } from './formats/json-vector';
import { npyDataBytes, npyHeaderEnd, NpyFormatError, parseNpyHeader, type NpyHeader } from './formats/npy';
import {
  checkFileSize,
  MAX_SAMPLE_FILE_BYTES,
  readDatasetFile,
  withDatasetFile,
  type OpenDatasetFile,
} from './dataset-file';
import { inspectWavAt } from './formats/wav';
import { describeSample } from './issues';
import { confinePath, describeConfinementFailure } from './paths';
import type { DatasetIssue } from '../protocol/dataset';
import type { Cell, ManifestSample } from './manifest/types';

/** What a cell turned out to be, read from its header (or, for numbers, from the manifest). */
export type CellProbe =
  | { kind: 'vector'; length: number }
  | { kind: 'image'; height: number; width: number; channels: 1 | 3 }
  | { kind: 'array'; shape: number[] }
  | { kind: 'audio'; sampleRate: number; frames: number };

/** A file a manifest names, as found on disk: its identity feeds the dataset fingerprint. */
export interface LocatedFile {
  relative: string;
  absolute: string;
  extension: string;
  size: number;
  mtimeMs: number;
}

export type LocateResult = { ok: true; file: LocatedFile } | { ok: false; issue: DatasetIssue };

const KNOWN_EXTENSIONS = new Set<string>([...IMAGE_EXTENSIONS, '.wav', '.npy', '.json']);

/** Confines, stats and checks the extension of the file a cell names; reads nothing yet. */
export function locateFile(rootReal: string, sample: ManifestSample, modality: string, given: string): LocateResult {
  const where = describeSample(sample);
  const base = { file: given, row: sample.line > 0 ? sample.line : undefined, sampleId: sample.id, column: modality };
  const confined = confinePath(rootReal, given);
  if (!confined.ok) {
    return {
      ok: false,
      issue: {
        ...base,
        code: 'path-outside',
        message: `${where}: column "${modality}" names "${given}", which ${describeConfinementFailure(confined.reason)}.`,
      },
    };
  }
  const extension = path.extname(confined.relative).toLowerCase();
  if (!KNOWN_EXTENSIONS.has(extension)) {
    return {
      ok: false,
      issue: {
        ...base,
        code: 'unknown-extension',
        message: `${where}: column "${modality}" names ${confined.relative}, whose extension "${extension || '(none)'}" is not a known kind; expected .png, .jpg, .jpeg, .webp (image), .wav (audio), .npy (array) or .json (vector).`,
      },
    };
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(confined.absolute);
  } catch {
    return {
      ok: false,
      issue: {
        ...base,
        code: 'missing-file',
        message: `${where}: column "${modality}" names ${confined.relative}, which does not exist in the dataset folder. Add the file or remove the row.`,
      },
    };
  }
  if (!stat.isFile()) {
    return {
      ok: false,
      issue: {
        ...base,
        code: 'unreadable-file',
        message: `${where}: column "${modality}" names ${confined.relative}, which is ${stat.isDirectory() ? 'a folder' : 'a pipe, device or socket'}, not a regular file. Put the file itself there.`,
      },
    };
  }
  return {
    ok: true,
    file: {
      relative: confined.relative,
      absolute: confined.absolute,
      extension,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
    },
  };
}

/** Reads a cell's header (the whole file for small kinds) to learn its kind and shape. */
export async function probeCell(cell: Cell, file: LocatedFile | undefined): Promise<CellProbe> {
  if (cell.type === 'numbers') return { kind: 'vector', length: cell.values.length };
  if (!file) throw new Error('probeCell: a file cell needs its located file');
  if (file.extension === '.npy')
    return {
      kind: 'array',
      shape: withDatasetFile(file.absolute, file.relative, (open) => probeNpy(open, file.relative)).shape,
    };
  if (file.extension === '.wav')
    return withDatasetFile(file.absolute, file.relative, (open) => probeWav(open, file.relative));
  const bytes = readBytes(file);
  switch (file.extension) {
    case '.json':
      return { kind: 'vector', length: decodeJsonVector(bytes).length };
    default:
      return { kind: 'image', ...(await inspectImage(bytes)) };
  }
}

/** A sample's whole file: a regular file of bounded size (checked again on the open file). */
export function readBytes(file: LocatedFile): Uint8Array {
  return readDatasetFile(file.absolute, file.relative, MAX_SAMPLE_FILE_BYTES);
}

/** A clip's header, read with a few positioned reads: decoding reads the clip once, later. */
function probeWav(file: OpenDatasetFile, label: string): CellProbe {
  checkFileSize(file, label, MAX_SAMPLE_FILE_BYTES);
  const info = inspectWavAt(
    (position, length) => file.read(position, length),
    file.size,
    () => file.read(0, file.size),
  );
  return { kind: 'audio', sampleRate: info.sampleRate, frames: info.frames };
}

/** An array's header and its promised size, read without reading the data (arrays can be gigabytes). */
function probeNpy(file: OpenDatasetFile, label: string): NpyHeader {
  checkFileSize(file, label, MAX_SAMPLE_FILE_BYTES);
  const header = parseNpyHeader(file.read(0, npyHeaderEnd(file.read(0, 12))));
  const needed = header.dataOffset + npyDataBytes(header);
  if (file.size < needed)
    throw new NpyFormatError(
      `its header promises ${needed} bytes in all but the file holds only ${file.size}; it is truncated`,
    );
  return header;
}
