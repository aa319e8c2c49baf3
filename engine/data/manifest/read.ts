import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_MANIFEST_BYTES, readFolderFile } from '../dataset-file';
import { DatasetError, IssueLog } from '../issues';
import { readCsvManifest } from './csv';
import { readJsonlManifest } from './jsonl';
import { hasLayout, readLayout } from './layout';
import type { Manifest, ReadManifestOptions } from './types';

const MANIFESTS = ['manifest.csv', 'manifest.jsonl'] as const;

/**
 * Reads the dataset folder's manifest (`manifest.csv` or `manifest.jsonl`), or its `SPLIT/LABEL/ID.MODALITY.EXT`
 * layout when there is none. Problems with single rows go to `log`; a folder that cannot be read at all throws
 * a {@link DatasetError}. Nothing is written.
 */
export function readManifest(root: string, options: ReadManifestOptions, log: IssueLog): Manifest {
  const manifest = readManifestAsWritten(root, options, log);
  // "café" typed on two systems may arrive as NFC (é) and NFD (e + ◌́): the same text to a reader, two
  // classes to a byte comparison, printed alike. Labels are compared in their composed form (NFC).
  for (const sample of manifest.samples) {
    if (sample.label) sample.label = sample.label.normalize('NFC');
  }
  return manifest;
}

function readManifestAsWritten(root: string, options: ReadManifestOptions, log: IssueLog): Manifest {
  const present = MANIFESTS.filter((name) => fs.existsSync(path.join(root, name)));
  if (present.length === 2) {
    throw new DatasetError({
      code: 'no-manifest',
      file: 'manifest.csv',
      message:
        'The folder holds both manifest.csv and manifest.jsonl, so which one describes the dataset is ambiguous; keep one of them.',
    });
  }
  const [file] = present;
  if (!file) {
    if (!hasLayout(root)) {
      throw new DatasetError({
        code: 'no-manifest',
        file: '.',
        message: `No manifest.csv or manifest.jsonl, and no train/, val/ or test/ folders, in ${root} (${describeContents(root)}). Add a manifest listing each sample's label and modality files, or arrange the files as SPLIT/LABEL/ID.MODALITY.EXT.`,
      });
    }
    const layout = readLayout(root, log);
    const contentHash = crypto.createHash('sha256').update(layout.listing.join('\n')).digest('hex');
    return { format: 'layout', file: '.', samples: layout.samples, modalities: layout.modalities, contentHash };
  }
  const bytes = readFolderFile(root, file, MAX_MANIFEST_BYTES, 'unreadable-file', '');
  const text = decodeText(bytes, file);
  const contentHash = crypto.createHash('sha256').update(bytes).digest('hex');
  const parsed =
    file === 'manifest.csv' ? readCsvManifest(text, file, options, log) : readJsonlManifest(text, file, options, log);
  return { format: file === 'manifest.csv' ? 'csv' : 'jsonl', file, ...parsed, contentHash };
}

/**
 * How many files and folders the folder holds, without their names: a path typed into web mode must not
 * become a way to list any folder on the machine; the counts still tell a user they chose the wrong folder.
 */
function describeContents(root: string): string {
  const entries = fs.readdirSync(root, { withFileTypes: true }).filter((entry) => !entry.name.startsWith('.'));
  if (entries.length === 0) return 'it is empty';
  const folders = entries.filter((entry) => entry.isDirectory()).length;
  const files = entries.length - folders;
  return `it holds ${folders} folder${folders === 1 ? '' : 's'} and ${files} other entr${files === 1 ? 'y' : 'ies'}`;
}

function decodeText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  let text: string | undefined;
  if (nul < 0) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    throw new DatasetError({
      code: 'manifest-not-text',
      file,
      message: `${file} is not UTF-8 text (${nul >= 0 ? `byte ${nul} is NUL` : 'it holds bytes that are not UTF-8'}); it looks like a binary file. Save the manifest as UTF-8 ${file.endsWith('.csv') ? 'CSV' : 'JSON Lines'}.`,
    });
  }
  if (text.trim() === '') {
    throw new DatasetError({
      code: 'manifest-empty',
      file,
      message: `${file} is empty; expected ${file.endsWith('.csv') ? 'a header line followed by one row per sample' : 'one JSON object per sample, one per line'}.`,
    });
  }
  return text;
}
