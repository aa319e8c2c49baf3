import { z } from 'zod';
import { DatasetError, IssueLog } from '../issues';
import { excerpt } from '../excerpt';
import { float32Expectation, isFloat32Finite, modalityNameProblem, parseSplitCell } from './cells';
import type { Cell, ManifestSample, ModalityDeclaration, ReadManifestOptions } from './types';

const idOrLabel = z.union([z.string(), z.number()]).transform((value) => String(value).trim());

/** One line of `manifest.jsonl`. Inline vectors may hold `null` or strings so that we can say which entry is bad. */
const rowSchema = z
  .object({
    id: idOrLabel.optional(),
    label: idOrLabel.optional(),
    split: z.string().optional(),
    modalities: z.record(z.string(), z.union([z.string(), z.array(z.unknown())])),
  })
  .passthrough();

/**
 * Reads `manifest.jsonl`: one JSON object per line,
 * `{"id": …, "label": …, "split": …, "modalities": {"NAME": "relative/path.png" or [numbers], …}}`.
 */
export function readJsonlManifest(
  text: string,
  file: string,
  options: ReadManifestOptions,
  log: IssueLog,
): { samples: ManifestSample[]; modalities: ModalityDeclaration[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const samples: ManifestSample[] = [];
  const sources = new Map<string, { source: 'files' | 'inline'; line: number }>();
  let nonEmpty = 0;
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    nonEmpty += 1;
    const line = index + 1;
    const where = `${file} line ${line}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      log.error({
        code: 'manifest-parse',
        file,
        row: line,
        message: `${where} is not valid JSON (${(error as Error).message}); expected one object per line like {"label": "cat", "modalities": {"rgb": "img/1.png", "audio": "wav/1.wav"}}.`,
      });
      continue;
    }
    // Checked on the parsed JSON itself: the schema's record would drop a "__proto__" key without a word.
    const badName = Object.keys(modalitiesOf(json)).find((name) => modalityNameProblem(name));
    if (badName !== undefined) {
      log.error({
        code: 'manifest-parse',
        file,
        row: line,
        column: badName,
        message: `${where}: modality "${badName}" ${modalityNameProblem(badName)}.`,
      });
      continue;
    }
    const parsed = rowSchema.safeParse(json);
    if (!parsed.success) {
      const problem = parsed.error.issues[0];
      const field = problem?.path.join('.') || 'the line';
      log.error({
        code: 'manifest-parse',
        file,
        row: line,
        message: `${where}: ${field} ${problem?.message ?? 'is malformed'}; expected {"id"?: string, "label": string, "split"?: "train"|"val"|"test", "modalities": {NAME: "path" or [numbers]}}.`,
      });
      continue;
    }
    const row = parsed.data;
    const id = row.id ?? String(nonEmpty);
    const sampleName = `Sample "${id}" (${where})`;
    let ok = true;
    const label = row.label ?? '';
    if (label === '' && options.requireLabels) {
      log.error({
        code: 'missing-label',
        file,
        row: line,
        sampleId: id,
        message: `${sampleName} has no "label"; give the sample's class name.`,
      });
      ok = false;
    }
    let split: ManifestSample['split'] = null;
    if (row.split !== undefined) {
      const value = parseSplitCell(row.split);
      if (!value) {
        log.error({
          code: 'bad-split',
          file,
          row: line,
          sampleId: id,
          message: `${sampleName}: split is ${excerpt(row.split)}; expected train, val or test (or leave it out to split automatically).`,
        });
        ok = false;
      } else split = value;
    }
    const cells = new Map<string, Cell>();
    for (const [name, value] of Object.entries(row.modalities)) {
      const source = typeof value === 'string' ? 'files' : 'inline';
      const first = sources.get(name);
      if (!first) sources.set(name, { source, line });
      else if (first.source !== source) {
        log.error({
          code: 'mixed-kinds',
          file,
          row: line,
          sampleId: id,
          column: name,
          message: `${sampleName}: modality "${name}" is ${source === 'files' ? 'a file path' : 'an inline array'} here but ${first.source === 'files' ? 'a file path' : 'an inline array'} on line ${first.line}; one modality must be given the same way in every line.`,
        });
        ok = false;
        continue;
      }
      if (typeof value === 'string') {
        cells.set(name, { type: 'file', path: value });
        continue;
      }
      const bad = value.findIndex((entry) => !isFloat32Finite(entry));
      if (bad >= 0) {
        log.error({
          code: typeof value[bad] === 'number' ? 'non-finite' : 'non-numeric',
          file,
          row: line,
          sampleId: id,
          column: name,
          message: `${sampleName}: modality "${name}" entry ${bad} is ${JSON.stringify(value[bad])}; ${float32Expectation(value[bad])}.`,
        });
        ok = false;
        continue;
      }
      cells.set(name, { type: 'numbers', values: value as number[] });
    }
    if (ok) samples.push({ id, label: label === '' ? null : label, split, file, line, cells });
  }
  if (nonEmpty === 0) {
    throw new DatasetError({
      code: 'manifest-empty',
      file,
      message: `${file} is empty; expected one JSON object per sample, one per line.`,
    });
  }
  const modalities: ModalityDeclaration[] = [...sources.entries()].map(([name, { source }]) => ({ name, source }));
  reportMissingModalities(samples, modalities, file, log);
  return { samples: samples.filter((s) => s.cells.size === modalities.length), modalities };
}

function modalitiesOf(json: unknown): object {
  const modalities = (json as { modalities?: unknown } | null)?.modalities;
  return typeof modalities === 'object' && modalities !== null ? modalities : {};
}

function reportMissingModalities(
  samples: ManifestSample[],
  modalities: ModalityDeclaration[],
  file: string,
  log: IssueLog,
): void {
  for (const sample of samples) {
    const missing = modalities.filter((m) => !sample.cells.has(m.name)).map((m) => m.name);
    if (missing.length === 0) continue;
    log.error({
      code: 'missing-file',
      file,
      row: sample.line,
      sampleId: sample.id,
      column: missing[0],
      message: `Sample "${sample.id}" (${file} line ${sample.line}) has no value for modality ${missing.map((m) => `"${m}"`).join(', ')}, which other lines have; every sample needs every modality.`,
    });
  }
}
