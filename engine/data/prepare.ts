import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PrepareProgress, Split, ValidationReport } from '../protocol/dataset';
import { isInside } from '../util/folders';
import { mapLimit } from '../util/map-limit';
import { CacheReader } from './cache/reader';
import { CacheWriter } from './cache/writer';
import { CACHE_FORMAT_VERSION, type CacheMeta } from './cache/meta';
import { defaultCacheDir } from './cache/location';
import { DEFAULT_SPLIT_SEED, readDatasetOptions, type ModalityOptions } from './dataset-options';
import { cacheKey, datasetFingerprint } from './fingerprint';
import { DecodePool, decodeThreadCount } from './decode-pool';
import { decodeIssue, decodeSample, type DecodeJob, type DecodeOutcome } from './decode-sample';
import { DatasetError, describeSample, IssueLog } from './issues';
import { realDatasetFolder } from './paths';
import { readManifest } from './manifest/read';
import type { Manifest, ManifestSample } from './manifest/types';
import { planModality, type ModalityPlan, type ProbedCell } from './plan';
import { locateFile, probeCell, type LocatedFile } from './probe';
import { buildReport, countClasses, countSplits, leftOutOf, summarizeModality } from './report';
import { assignSplits } from './split';
import { sampleSize } from './decode';
import { AppError } from '../protocol/errors';
import { storageReason } from '../util/fs-errors';
import { checkClasses, checkDuplicateIds, checkModalityCount } from './checks';

const BATCH_SAMPLES = 32;

/**
 * Whether decoding is worth more threads: a thread takes ~0.35 s (from the sources, under tsx) to start, on
 * cores that are busy reading headers meanwhile. Measured on a 2-core machine (`validate`, cold cache, five
 * runs each): 1,500 1-s clips + 1,500 PNGs 2.4–2.8 s in one thread, 2.3–2.7 s with a second; 4,500 such
 * pairs 4.5 → 3.7 s; 600 10-s clips 5.1 → 3.6 s. Decoding costs ~0.03 ms per KB of file (a 1-s 16-bit clip,
 * 31 KB: ~1 ms) plus ~0.05 ms per file; threads are used from ~1 s of estimated decoding on.
 */
function worthDecodeThreads(working: Working[]): boolean {
  let estimatedMs = 0;
  for (const w of working) for (const file of w.files.values()) estimatedMs += 0.05 + (0.03 * file.size) / 1024;
  return estimatedMs >= 1000;
}

export type { PrepareProgress };

export interface PrepareOptions {
  /** Where decoded datasets are cached; the app's cache folder by default. */
  cacheDir?: string;
  /** `false`: check and decode everything, but write no cache (`validate --no-cache`). */
  writeCache?: boolean;
  onProgress?: (progress: PrepareProgress) => void;
  /** Files probed at once (image headers may be read through sharp, which works on libvips' threads). */
  concurrency?: number;
  /**
   * Decode threads besides this one (which decodes too): by default one per core but this one when the
   * dataset is large enough to repay starting them, none otherwise.
   */
  threads?: number;
  /**
   * Sample ids to leave out (the user's "leave out these samples and continue"): their problems are
   * recorded as the reason, not counted as errors, and they are neither checked further nor decoded. The
   * prepared dataset's fingerprint then covers the exclusion, so a run and its resume see the same data.
   */
  exclude?: string[];
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
export async function prepareDataset(
  dir: string,
  options: PrepareOptions = {},
): Promise<{ report: ValidationReport; dataset: PreparedDataset | null }> {
  const log = new IssueLog(new Set(options.exclude ?? []));
  const root = path.resolve(dir);
  const empty = {
    path: root,
    name: path.basename(root),
    format: 'unknown' as const,
    samples: 0,
    classes: [],
    modalities: [],
    splits: { train: 0, val: 0, test: 0 },
  };
  try {
    return await prepare(root, options, log);
  } catch (error) {
    // The cache is the one place preparing writes to; a full or read-only disk there is not the data's fault
    // (a permission error may be the dataset's, and stays as it is).
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = ['ENOSPC', 'EDQUOT', 'EROFS'].includes(code) ? storageReason(error) : null;
    if (reason && !(error instanceof DatasetError)) {
      const cacheRoot = path.join(options.cacheDir ?? defaultCacheDir(), 'datasets');
      throw new AppError(
        'output',
        `The dataset cache in ${cacheRoot} cannot be written: ${reason}. Free space there, or give --cache-dir (MODALITY_STUDIO_CACHE) a folder on another disk; the dataset folder itself is only read.`,
      );
    }
    if (!(error instanceof DatasetError)) throw error;
    log.error(error.issue);
    return { report: buildReport(empty, log), dataset: null };
  }
}

async function prepare(
  root: string,
  options: PrepareOptions,
  log: IssueLog,
): Promise<{ report: ValidationReport; dataset: PreparedDataset | null }> {
  const rootReal = realDatasetFolder(root);
  const { options: datasetOptions, text: optionsText } = readDatasetOptions(rootReal);
  const manifest = readManifest(rootReal, { requireLabels: true }, log);
  const name = datasetOptions.name ?? path.basename(rootReal);
  const splitSeed = datasetOptions.splitSeed ?? DEFAULT_SPLIT_SEED;
  checkDuplicateIds(manifest.samples, log);
  checkModalityCount(manifest, log);

  const working = locateFiles(rootReal, manifest, log);
  const folderPrint = datasetFingerprint(
    manifest.contentHash,
    optionsText,
    working.flatMap((w) => [...w.files.values()]),
  );
  const fingerprint =
    log.excluded.size > 0
      ? crypto
          .createHash('sha256')
          .update(`${folderPrint}\nleaving out ${[...log.excluded].sort().join('\n')}`)
          .digest('hex')
      : folderPrint;
  const cacheRoot = path.join(options.cacheDir ?? defaultCacheDir(), 'datasets');
  if (options.writeCache !== false && isInside(cacheRoot, rootReal)) {
    throw new DatasetError({
      code: 'output-inside-dataset',
      file: '.',
      message: `The cache folder ${cacheRoot} is inside the dataset folder, which Modality Studio only reads; give --cache-dir (or MODALITY_STUDIO_CACHE) a folder outside ${rootReal}.`,
    });
  }
  const finalDir = path.join(cacheRoot, cacheKey(fingerprint, splitSeed));
  const cached = !log.hasErrors && readCachedMeta(finalDir, fingerprint);
  if (cached) return fromCache(finalDir, cached, root);

  const threads = options.threads ?? (worthDecodeThreads(working) ? decodeThreadCount() - 1 : 0);
  const pool = threads > 0 ? new DecodePool(threads) : null;
  try {
    return await probeAndDecode(
      root,
      manifest,
      working,
      { name, splitSeed, finalDir, fingerprint, modalityOptions: datasetOptions.modalities ?? {} },
      pool,
      options,
      log,
    );
  } finally {
    await pool?.close();
  }
}

interface DatasetIdentity {
  name: string;
  splitSeed: number;
  finalDir: string;
  fingerprint: string;
  modalityOptions: Record<string, ModalityOptions>;
}

async function probeAndDecode(
  root: string,
  manifest: Manifest,
  working: Working[],
  identity: DatasetIdentity,
  pool: DecodePool | null,
  options: PrepareOptions,
  log: IssueLog,
): Promise<{ report: ValidationReport; dataset: PreparedDataset | null }> {
  const { name, splitSeed, finalDir, fingerprint } = identity;
  const { plans, rejected } = await probeAndPlan(manifest, working, identity.modalityOptions, options, log);
  // Left-out samples go through the checks up to here (so each one's problem is recorded as its reason), and
  // no further: they take no part in the split, the classes or the decoding.
  const kept = working.filter((w, i) => !rejected.has(i) && !log.excluded.has(w.sample.id));
  const labels = kept.map((w) => w.sample.label ?? '');
  const split = assignSplits(
    labels,
    kept.map((w) => w.sample.split),
    splitSeed,
  );
  if (!split.ok) log.error({ code: split.code, file: manifest.file, message: `${manifest.file}: ${split.message}.` });
  const splits: Split[] = split.ok ? split.splits : kept.map((w) => w.sample.split ?? 'train');
  const classes = checkClasses(
    kept.map((w) => w.sample),
    splits,
    log,
  );

  const usable = plans.every((plan): plan is ModalityPlan => plan !== null) && plans.length > 0;
  const writer = usable && options.writeCache !== false && !log.hasErrors ? new CacheWriter(finalDir, plans) : null;
  if (usable) await decodeAll(kept, plans, splits, writer, pool, options, log);
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
    ...(log.excluded.size > 0 ? { leftOut: leftOutOf(log) } : {}),
    createdAt: new Date().toISOString(),
  });
  return {
    report: buildReport(reportFields, log),
    dataset: { meta, cacheDir: finalDir, reader: new CacheReader(finalDir, meta), fromCache: false },
  };
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

/**
 * The cache's meta.json when it describes exactly the files beside it, else null, and the data is decoded
 * again into a fresh cache. A damaged cache (a meta.json edited or cut short, a value file truncated) must
 * cost a rebuild, not the run: a shape made huge gave "Invalid typed array length: 12800000000".
 */
function readCachedMeta(dir: string, fingerprint: string): CacheMeta | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    if (meta.version !== CACHE_FORMAT_VERSION || meta.fingerprint !== fingerprint) return null;
    return cacheMatchesFiles(dir, meta) ? meta : null;
  } catch {
    return null;
  }
}

function cacheMatchesFiles(dir: string, meta: CacheMeta): boolean {
  const samples = meta.sampleIds.length;
  if (!Array.isArray(meta.classes) || meta.labels.length !== samples || meta.splits.length !== samples) return false;
  if (meta.labels.some((label) => !Number.isInteger(label) || label < 0 || label >= meta.classes.length)) return false;
  return (
    meta.modalities.length > 0 &&
    meta.modalities.every((modality) => {
      if (!Array.isArray(modality.shape) || !modality.shape.every((d) => Number.isInteger(d) && d > 0)) return false;
      if (typeof modality.file !== 'string' || path.basename(modality.file) !== modality.file) return false;
      const stat = fs.statSync(path.join(dir, modality.file));
      return stat.isFile() && stat.size === samples * sampleSize(modality) * 4;
    })
  );
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
    ...(meta.leftOut ? { leftOut: meta.leftOut } : {}),
  };
  return { report, dataset: { meta, cacheDir: dir, reader: new CacheReader(dir, meta), fromCache: true } };
}

async function probeAndPlan(
  manifest: Manifest,
  working: Working[],
  modalityOptions: Record<string, ModalityOptions>,
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
        cells.get(modality)?.push({
          sampleIndex: index,
          where: describeSample(w.sample),
          sampleId: w.sample.id,
          file: file?.relative,
          row: rowOf(w.sample),
          probe,
        });
      } catch (error) {
        rejected.add(index);
        log.error(decodeIssue(w.sample, modality, file, error));
      }
    }
    done += 1;
    options.onProgress?.({ phase: 'checking', done, total: working.length });
  });
  const plans = manifest.modalities.map((declaration) => {
    const list = (cells.get(declaration.name) ?? []).sort((a, b) => a.sampleIndex - b.sampleIndex);
    const extensions = [
      ...new Set(working.map((w) => w.files.get(declaration.name)?.extension).filter((e): e is string => !!e)),
    ].sort();
    const result = planModality(
      declaration,
      list,
      extensions,
      (Object.hasOwn(modalityOptions, declaration.name) ? modalityOptions[declaration.name] : undefined) ?? {},
      log,
    );
    result.rejected.forEach((i) => rejected.add(i));
    return result.plan;
  });
  return { plans, rejected };
}

/**
 * Decodes every kept sample and appends it to the cache in dataset order. Large datasets are decoded on
 * `pool` (a thread per core); at most two batches per thread are in flight, so memory holds a few batches
 * of decoded samples whatever the dataset's size.
 */
async function decodeAll(
  kept: Working[],
  plans: ModalityPlan[],
  splits: Split[],
  writer: CacheWriter | null,
  pool: DecodePool | null,
  options: PrepareOptions,
  log: IssueLog,
): Promise<void> {
  pool?.usePlans(plans);
  const here = (jobs: DecodeJob[]) => Promise.all(jobs.map((job) => decodeSample(job, plans)));
  // This thread decodes one batch in every (threads + 1): it would otherwise only wait for the pool.
  const decodeBatch = (jobs: DecodeJob[], index: number) =>
    pool && index % (pool.size + 1) !== 0 ? pool.decode(jobs) : here(jobs);
  const starts = Array.from({ length: Math.ceil(kept.length / BATCH_SAMPLES) }, (_, i) => i * BATCH_SAMPLES);
  const window = 2 * ((pool?.size ?? 0) + 1);
  const inFlight: Promise<DecodeOutcome[]>[] = [];
  let launched = 0;
  for (const start of starts) {
    while (launched < starts.length && inFlight.length < window) {
      const from = starts[launched] ?? 0;
      inFlight.push(
        decodeBatch(
          kept.slice(from, from + BATCH_SAMPLES).map((w) => decodeJob(w, plans)),
          launched,
        ),
      );
      launched += 1;
    }
    const outcomes = await (inFlight.shift() as Promise<DecodeOutcome[]>);
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) log.error(outcome.issue);
      else if (writer && !log.hasErrors) writer.append(outcome.values, splits[start + i] ?? 'train');
    });
    options.onProgress?.({ phase: 'decoding', done: Math.min(start + BATCH_SAMPLES, kept.length), total: kept.length });
  }
}

function decodeJob(w: Working, plans: ModalityPlan[]): DecodeJob {
  return {
    sample: { id: w.sample.id, file: w.sample.file, line: w.sample.line },
    cells: plans.map((plan) => {
      const cell = w.sample.cells.get(plan.name);
      return cell ? { cell, file: w.files.get(plan.name) } : null;
    }),
  };
}

function rowOf(sample: ManifestSample): number | undefined {
  return sample.line > 0 ? sample.line : undefined;
}
