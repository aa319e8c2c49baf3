import fs from 'node:fs';
import path from 'node:path';
import type { DatasetIssue, Split, ValidationReport } from '../protocol/dataset';
import { isInside } from '../util/folders';
import { mapLimit } from '../util/map-limit';
import { CacheReader } from './cache/reader';
import { CacheWriter } from './cache/writer';
import { CACHE_FORMAT_VERSION, type CacheMeta } from './cache/meta';
import { defaultCacheDir } from './cache/location';
import { DEFAULT_SPLIT_SEED, readDatasetOptions } from './dataset-options';
import { decodeCell } from './decode';
import { cacheKey, datasetFingerprint } from './fingerprint';
import { DatasetFileError } from './dataset-file';
import { DatasetError, describeSample, IssueLog } from './issues';
import { realDatasetFolder } from './paths';
import { readManifest } from './manifest/read';
import type { Manifest, ManifestSample } from './manifest/types';
import { planModality, type ModalityPlan, type ProbedCell } from './plan';
import { corruptCode, locateFile, probeCell, type LocatedFile } from './probe';
import { buildReport, countClasses, countSplits, summarizeModality } from './report';
import { assignSplits } from './split';
import { checkClasses, checkDuplicateIds, checkModalityCount } from './checks';

export interface PrepareProgress {
  phase: 'checking' | 'decoding';
  done: number;
  total: number;
}

export interface PrepareOptions {
  /** Where decoded datasets are cached; the app's cache folder by default. */
  cacheDir?: string;
  /** `false`: check and decode everything, but write no cache (`validate --no-cache`). */
  writeCache?: boolean;
  onProgress?: (progress: PrepareProgress) => void;
  /** Files decoded at once (image decoding runs on libvips' threads). */
  concurrency?: number;
}

/** A dataset that passed validation, decoded into the cache and readable in batches. */
export interface PreparedDataset {
  meta: CacheMeta;
  cacheDir: string;
  reader: CacheReader;
  /** True when this call decoded nothing because the cache already held the dataset. */
  fromCache: boolean;
}

interface Working {
  sample: ManifestSample;
  files: Map<string, LocatedFile>;
}

/**
 * Validates a dataset folder and decodes it into the preprocessing cache: reads the manifest, checks every
 * row and file, decodes every sample to its modality's shape, and fits the standardisation on the training
 * split. Reads the user's folder only; writes only below `cacheDir`. A folder that cannot be read at all
 * still yields a report (never a throw) so every host can show it.
 */
export async function prepareDataset(dir: string, options: PrepareOptions = {}): Promise<{ report: ValidationReport; dataset: PreparedDataset | null }> {
  const log = new IssueLog();
  const root = path.resolve(dir);
  const empty = { path: root, name: path.basename(root), format: 'unknown' as const, samples: 0, classes: [], modalities: [], splits: { train: 0, val: 0, test: 0 } };
  try {
    return await prepare(root, options, log);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    log.error(error.issue);
    return { report: buildReport(empty, log), dataset: null };
  }
}

async function prepare(root: string, options: PrepareOptions, log: IssueLog): Promise<{ report: ValidationReport; dataset: PreparedDataset | null }> {
  const rootReal = realDatasetFolder(root);
  const { options: datasetOptions, text: optionsText } = readDatasetOptions(rootReal);
  const manifest = readManifest(rootReal, { requireLabels: true }, log);
  const name = datasetOptions.name ?? path.basename(rootReal);
  const splitSeed = datasetOptions.splitSeed ?? DEFAULT_SPLIT_SEED;
  checkDuplicateIds(manifest.samples, log);
  checkModalityCount(manifest, log);

  const working = locateFiles(rootReal, manifest, log);
  const fingerprint = datasetFingerprint(manifest.contentHash, optionsText, working.flatMap((w) => [...w.files.values()]));
  const cacheRoot = path.join(options.cacheDir ?? defaultCacheDir(), 'datasets');
  if (options.writeCache !== false && isInside(cacheRoot, rootReal)) {
    throw new DatasetError({ code: 'output-inside-dataset', file: '.', message: `The cache folder ${cacheRoot} is inside the dataset folder, which Modality Studio only reads; give --cache-dir (or MODALITY_STUDIO_CACHE) a folder outside ${rootReal}.` });
  }
  const finalDir = path.join(cacheRoot, cacheKey(fingerprint, splitSeed));
  const cached = !log.hasErrors && readCachedMeta(finalDir, fingerprint);
  if (cached) return fromCache(finalDir, cached, root);

  const { plans, rejected } = await probeAndPlan(manifest, working, datasetOptions.modalities ?? {}, options, log);
  const kept = working.filter((_, i) => !rejected.has(i));
  const labels = kept.map((w) => w.sample.label ?? '');
  const split = assignSplits(labels, kept.map((w) => w.sample.split), splitSeed);
  if (!split.ok) log.error({ code: split.code, file: manifest.file, message: `${manifest.file}: ${split.message}.` });
  const splits: Split[] = split.ok ? split.splits : kept.map((w) => w.sample.split ?? 'train');
  const classes = checkClasses(kept.map((w) => w.sample), splits, log);

  const usable = plans.every((plan): plan is ModalityPlan => plan !== null) && plans.length > 0;
  const writer = usable && options.writeCache !== false && !log.hasErrors ? new CacheWriter(finalDir, plans) : null;
  if (usable) await decodeAll(kept, plans, splits, writer, options, log);
  const reportFields = {
    path: root,
    name,
    format: manifest.format,
    samples: kept.length,
    classes,
    modalities: plans.filter((p): p is ModalityPlan => p !== null).map(summarizeModality),
    splits: countSplits(splits),
    ...(split.ok ? { splitRule: split.rule } : {}),
    classCounts: countClasses(labels, splits),
    fingerprint,
  };
  if (!writer || log.hasErrors || !split.ok) {
    writer?.abort();
    return { report: buildReport(reportFields, log), dataset: null };
  }
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const meta = writer.finish({
    version: CACHE_FORMAT_VERSION,
    key: path.basename(finalDir),
    fingerprint,
    name,
    root,
    format: manifest.format,
    splitRule: split.rule,
    splitSeed,
    classes,
    sampleIds: kept.map((w) => w.sample.id),
    labels: labels.map((l) => classIndex.get(l) ?? -1),
    splits,
    warnings: log.warnings,
    warningCount: log.warningCount,
    createdAt: new Date().toISOString(),
  });
  return { report: buildReport(reportFields, log), dataset: { meta, cacheDir: finalDir, reader: new CacheReader(finalDir, meta), fromCache: false } };
}

function locateFiles(rootReal: string, manifest: Manifest, log: IssueLog): Working[] {
  const working: Working[] = [];
  for (const sample of manifest.samples) {
    const files = new Map<string, LocatedFile>();
    let ok = true;
    for (const [modality, cell] of sample.cells) {
      if (cell.type !== 'file') continue;
      const located = locateFile(rootReal, sample, modality, cell.path);
      if (located.ok) files.set(modality, located.file);
      else {
        log.error(located.issue);
        ok = false;
      }
    }
    if (ok) working.push({ sample, files });
  }
  return working;
}

function readCachedMeta(dir: string, fingerprint: string): CacheMeta | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    return meta.version === CACHE_FORMAT_VERSION && meta.fingerprint === fingerprint ? meta : null;
  } catch {
    return null;
  }
}

function fromCache(dir: string, meta: CacheMeta, root: string): { report: ValidationReport; dataset: PreparedDataset } {
  const labels = meta.labels.map((i) => meta.classes[i] ?? '');
  const report: ValidationReport = {
    ok: true,
    path: root,
    name: meta.name,
    format: meta.format,
    samples: meta.sampleIds.length,
    classes: meta.classes,
    modalities: meta.modalities.map(summarizeModality),
    splits: countSplits(meta.splits),
    splitRule: meta.splitRule,
    classCounts: countClasses(labels, meta.splits),
    fingerprint: meta.fingerprint,
    errors: [],
    errorCount: 0,
    warnings: meta.warnings,
    warningCount: meta.warningCount,
  };
  return { report, dataset: { meta, cacheDir: dir, reader: new CacheReader(dir, meta), fromCache: true } };
}

async function probeAndPlan(
  manifest: Manifest,
  working: Working[],
  modalityOptions: Record<string, import('./dataset-options').ModalityOptions>,
  options: PrepareOptions,
  log: IssueLog,
): Promise<{ plans: (ModalityPlan | null)[]; rejected: Set<number> }> {
  const rejected = new Set<number>();
  const cells = new Map<string, ProbedCell[]>(manifest.modalities.map((m) => [m.name, []]));
  let done = 0;
  await mapLimit(working, options.concurrency ?? 16, async (w, index) => {
    for (const [modality, cell] of w.sample.cells) {
      const file = w.files.get(modality);
      try {
        const probe = await probeCell(cell, file);
        cells.get(modality)?.push({ sampleIndex: index, where: describeSample(w.sample), sampleId: w.sample.id, file: file?.relative, row: rowOf(w.sample), probe });
      } catch (error) {
        rejected.add(index);
        log.error(corruptIssue(w.sample, modality, file, error));
      }
    }
    done += 1;
    options.onProgress?.({ phase: 'checking', done, total: working.length });
  });
  const plans = manifest.modalities.map((declaration) => {
    const list = (cells.get(declaration.name) ?? []).sort((a, b) => a.sampleIndex - b.sampleIndex);
    const extensions = [...new Set(working.map((w) => w.files.get(declaration.name)?.extension).filter((e): e is string => !!e))].sort();
    const result = planModality(declaration, list, extensions, (Object.hasOwn(modalityOptions, declaration.name) ? modalityOptions[declaration.name] : undefined) ?? {}, log);
    result.rejected.forEach((i) => rejected.add(i));
    return result.plan;
  });
  return { plans, rejected };
}

async function decodeAll(kept: Working[], plans: ModalityPlan[], splits: Split[], writer: CacheWriter | null, options: PrepareOptions, log: IssueLog): Promise<void> {
  const chunk = options.concurrency ?? 16;
  for (let start = 0; start < kept.length; start += chunk) {
    const batch = kept.slice(start, start + chunk);
    const decoded = await Promise.all(batch.map(async (w) => {
      const values: Float32Array[] = [];
      for (const plan of plans) {
        const cell = w.sample.cells.get(plan.name);
        const file = w.files.get(plan.name);
        if (!cell) return null;
        try {
          values.push(await decodeCell(cell, file, plan));
        } catch (error) {
          log.error(corruptIssue(w.sample, plan.name, file, error));
          return null;
        }
      }
      return values;
    }));
    decoded.forEach((values, i) => {
      if (values && writer && !log.hasErrors) writer.append(values, splits[start + i] ?? 'train');
    });
    options.onProgress?.({ phase: 'decoding', done: Math.min(start + chunk, kept.length), total: kept.length });
  }
}

function rowOf(sample: ManifestSample): number | undefined {
  return sample.line > 0 ? sample.line : undefined;
}

function corruptIssue(sample: ManifestSample, modality: string, file: LocatedFile | undefined, error: unknown): DatasetIssue {
  const extension = file?.extension ?? '';
  if (error instanceof DatasetFileError) {
    return { code: error.reason === 'too-large' ? 'file-too-large' : 'unreadable-file', file: file?.relative, row: rowOf(sample), sampleId: sample.id, column: modality, message: `${describeSample(sample)}: ${error.message}` };
  }
  const systemCode = (error as NodeJS.ErrnoException).code;
  if (systemCode === 'EACCES' || systemCode === 'EPERM' || systemCode === 'EIO') {
    return { code: 'unreadable-file', file: file?.relative, row: rowOf(sample), sampleId: sample.id, column: modality, message: `${describeSample(sample)}: ${file?.relative} could not be read (${systemCode}); check that you have permission to read it.` };
  }
  return {
    code: corruptCode(extension),
    file: file?.relative,
    row: rowOf(sample),
    sampleId: sample.id,
    column: modality,
    message: `${describeSample(sample)}: ${file?.relative ?? `modality "${modality}"`} cannot be used: ${(error as Error).message}. Replace the file with a valid ${extension.slice(1).toUpperCase() || 'value'} or remove the sample.`,
  };
}
