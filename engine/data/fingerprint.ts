import crypto from 'node:crypto';
import type { LocatedFile } from './probe';
import { CACHE_FORMAT_VERSION } from './cache/meta';
import { RESAMPLER_VERSION } from './audio/resample';

/**
 * Identifies a dataset's contents without reading every byte: the manifest's content hash, `dataset.json`,
 * and each referenced file's path, size and modification time. Any edit to the data changes it.
 */
export function datasetFingerprint(manifestHash: string, optionsText: string, files: LocatedFile[]): string {
  const hash = crypto.createHash('sha256');
  hash.update(`manifest ${manifestHash}\noptions ${optionsText}\n`);
  const sorted = [...files].sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  for (const file of sorted) hash.update(`${file.relative}\t${file.size}\t${Math.round(file.mtimeMs)}\n`);
  return hash.digest('hex');
}

/** The cache folder name: the fingerprint plus everything else that changes the decoded values. */
export function cacheKey(fingerprint: string, splitSeed: number): string {
  return crypto
    .createHash('sha256')
    .update(`v${CACHE_FORMAT_VERSION}\nresampler ${RESAMPLER_VERSION}\n${fingerprint}\nsplit ${splitSeed}`)
    .digest('hex')
    .slice(0, 32);
}
