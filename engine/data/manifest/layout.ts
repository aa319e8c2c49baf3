import fs from 'node:fs';
import path from 'node:path';
import { DatasetError, IssueLog } from '../issues';
import { confinePath, describeConfinementFailure } from '../paths';
import type { Split } from '../../protocol/dataset';
import { modalityNameProblem } from './cells';
import type { ManifestSample, ModalityDeclaration } from './types';

const SPLIT_FOLDERS: readonly Split[] = ['train', 'val', 'test'];

/** True when the folder looks like `SPLIT/LABEL/ID.MODALITY.EXT` (at least one split folder exists). */
export function hasLayout(root: string): boolean {
  return SPLIT_FOLDERS.some((split) => isDirectory(path.join(root, split)));
}

/**
 * Reads a dataset given by its folders: `SPLIT/LABEL/ID.MODALITY.EXT`, e.g. `train/cat/0001.rgb.png` and
 * `train/cat/0001.audio.wav` are the two modalities of sample `0001`. Samples are paired by ID.
 * Returns the listing too, since the fingerprint hashes it in place of a manifest's bytes.
 */
export function readLayout(
  root: string,
  log: IssueLog,
): { samples: ManifestSample[]; modalities: ModalityDeclaration[]; listing: string[] } {
  const bySample = new Map<string, ManifestSample>();
  const modalities = new Set<string>();
  const listing: string[] = [];
  for (const split of SPLIT_FOLDERS) {
    const splitDir = path.join(root, split);
    if (!isDirectory(splitDir) || !confinedFolder(root, split, log)) continue;
    warnHiddenLabels(splitDir, split, log);
    for (const label of sortedEntries(splitDir)) {
      const labelDir = path.join(splitDir, label);
      if (isDirectory(labelDir) && !confinedFolder(root, `${split}/${label}`, log)) continue;
      if (!isDirectory(labelDir)) {
        log.warn({
          code: 'layout-unpaired',
          file: `${split}/${label}`,
          message: `${split}/${label} is a file directly inside a split folder and was ignored; files go in ${split}/LABEL/ID.MODALITY.EXT.`,
        });
        continue;
      }
      for (const name of sortedEntries(labelDir)) {
        const relative = `${split}/${label}/${name}`;
        listing.push(relative);
        const match = /^(.+)\.([^.]+)\.([^.]+)$/.exec(name);
        if (!match) {
          log.warn({
            code: 'layout-unpaired',
            file: relative,
            message: `${relative} was ignored: expected a name of the form ID.MODALITY.EXT (e.g. 0001.rgb.png).`,
          });
          continue;
        }
        const [, id = '', modality = ''] = match;
        const nameProblem = modalityNameProblem(modality);
        if (nameProblem) {
          log.error({
            code: 'layout-unpaired',
            file: relative,
            sampleId: id,
            message: `${relative}: "${modality}" ${nameProblem}.`,
          });
          continue;
        }
        const existing = bySample.get(id);
        if (existing && (existing.label !== label || existing.split !== split)) {
          log.error({
            code: 'duplicate-id',
            file: relative,
            sampleId: id,
            message: `Sample "${id}": ${relative} is under ${split}/${label}, but the same ID is already used under ${existing.split}/${existing.label} (${existing.file}); IDs pair the files of one sample, so they must be unique across labels and splits.`,
          });
          continue;
        }
        const sample = existing ?? { id, label, split, file: relative, line: 0, cells: new Map() };
        if (sample.cells.has(modality)) {
          log.error({
            code: 'duplicate-id',
            file: relative,
            sampleId: id,
            column: modality,
            message: `Sample "${id}" has two "${modality}" files in ${split}/${label}; keep one.`,
          });
          continue;
        }
        sample.cells.set(modality, { type: 'file', path: relative });
        modalities.add(modality);
        bySample.set(id, sample);
      }
    }
  }
  if (bySample.size === 0) {
    throw new DatasetError({
      code: 'manifest-empty',
      file: '.',
      message:
        'The split folders hold no files named SPLIT/LABEL/ID.MODALITY.EXT (e.g. train/cat/0001.rgb.png); add the sample files or a manifest.csv.',
    });
  }
  const names = [...modalities].sort();
  const samples: ManifestSample[] = [];
  for (const sample of bySample.values()) {
    const missing = names.filter((name) => !sample.cells.has(name));
    if (missing.length > 0) {
      log.error({
        code: 'layout-unpaired',
        file: sample.file,
        sampleId: sample.id,
        column: missing[0],
        message: `Sample "${sample.id}" in ${sample.split}/${sample.label} has no ${missing.map((m) => `"${m}"`).join(', ')} file; expected ${missing.map((m) => `${sample.id}.${m}.EXT`).join(', ')} next to ${sample.file}.`,
      });
      continue;
    }
    samples.push(sample);
  }
  return { samples, modalities: names.map((name) => ({ name, source: 'files' })), listing };
}

/** A split or label folder that is a link leaving the dataset folder is refused, and never listed. */
function confinedFolder(rootReal: string, relative: string, log: IssueLog): boolean {
  const confined = confinePath(rootReal, relative);
  if (confined.ok) return true;
  log.error({
    code: 'path-outside',
    file: relative,
    message: `${relative} ${describeConfinementFailure(confined.reason)}.`,
  });
  return false;
}

function isDirectory(target: string): boolean {
  try {
    return fs.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Hidden entries (`.DS_Store`, `.git`) are skipped, as every file manager hides them; a hidden folder of a
 * split is said, since `train/.cats/` is more likely a class than litter, and its samples would vanish silently.
 */
function warnHiddenLabels(splitDir: string, split: Split, log: IssueLog): void {
  for (const name of fs
    .readdirSync(splitDir)
    .filter((entry) => entry.startsWith('.'))
    .sort()) {
    if (!isDirectory(path.join(splitDir, name))) continue;
    log.warn({
      code: 'layout-unpaired',
      file: `${split}/${name}`,
      message: `${split}/${name} is a hidden folder and was skipped, with every file in it; if it is a class, rename it without the leading dot.`,
    });
  }
}

function sortedEntries(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort();
}
