import fs from 'node:fs';
import path from 'node:path';
import { inspectImage, IMAGE_EXTENSIONS } from './formats/image';
import { decodeJsonVector } from './formats/json-vector';
import { parseNpyHeader } from './formats/npy';
import { inspectWav } from './formats/wav';
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
    return { ok: false, issue: { ...base, code: 'path-outside', message: `${where}: column "${modality}" names "${given}", which ${describeConfinementFailure(confined.reason)}.` } };
  }
  const extension = path.extname(confined.relative).toLowerCase();
  if (!KNOWN_EXTENSIONS.has(extension)) {
    return { ok: false, issue: { ...base, code: 'unknown-extension', message: `${where}: column "${modality}" names ${confined.relative}, whose extension "${extension || '(none)'}" is not a known kind; expected .png, .jpg, .jpeg, .webp (image), .wav (audio), .npy (array) or .json (vector).` } };
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(confined.absolute);
  } catch {
    return { ok: false, issue: { ...base, code: 'missing-file', message: `${where}: column "${modality}" names ${confined.relative}, which does not exist in the dataset folder. Add the file or remove the row.` } };
  }
  if (!stat.isFile()) {
    return { ok: false, issue: { ...base, code: 'unreadable-file', message: `${where}: column "${modality}" names ${confined.relative}, which is a folder, not a file.` } };
  }
  return { ok: true, file: { relative: confined.relative, absolute: confined.absolute, extension, size: stat.size, mtimeMs: stat.mtimeMs } };
}

/** Reads a cell's header (the whole file for small kinds) to learn its kind and shape. */
export async function probeCell(cell: Cell, file: LocatedFile | undefined): Promise<CellProbe> {
  if (cell.type === 'numbers') return { kind: 'vector', length: cell.values.length };
  if (!file) throw new Error('probeCell: a file cell needs its located file');
  const bytes = readBytes(file);
  switch (file.extension) {
    case '.wav': {
      const info = inspectWav(bytes);
      return { kind: 'audio', sampleRate: info.sampleRate, frames: info.frames };
    }
    case '.npy':
      return { kind: 'array', shape: parseNpyHeader(bytes).shape };
    case '.json':
      return { kind: 'vector', length: decodeJsonVector(bytes).length };
    default:
      return { kind: 'image', ...(await inspectImage(bytes)) };
  }
}

export function readBytes(file: LocatedFile): Uint8Array {
  return fs.readFileSync(file.absolute);
}

/** The issue code for a file whose contents could not be read as its extension says. */
export function corruptCode(extension: string): DatasetIssue['code'] {
  if (extension === '.wav') return 'corrupt-audio';
  if (extension === '.npy') return 'corrupt-array';
  if (extension === '.json') return 'corrupt-json';
  return 'corrupt-image';
}
